// Generated from the OpenAPI document by web/scripts/api-types.ts (npm run web:api-types). Do not edit.
/* eslint-disable */
export interface paths {
  "/v1/health": {
    get: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        200: {
          headers: { [name: string]: unknown };
          content: {
            "application/json": {
              "status": "ok";
            };
          };
        };
      };
    };
  };
  "/v1/openapi.json": {
    get: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        200: {
          headers: { [name: string]: unknown };
          content: {
            "application/json": {
              [key: string]: unknown;
            };
          };
        };
      };
    };
  };
  "/v1/me": {
    get: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        200: {
          headers: { [name: string]: unknown };
          content: {
            "application/json": {
              "userId": string;
              "username": string;
              "role": "buyer" | "factory" | "auditor" | "admin";
              "orgId"?: string;
            };
          };
        };
        400: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        401: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        403: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        404: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        409: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        429: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
      };
    };
  };
  "/v1/requests": {
    get: {
      parameters: {
        query?: {
          "status"?: "OPEN" | "IN_PROGRESS" | "FULFILLED" | "COMPLETED" | "CANCELLED";
          "dueBefore"?: string;
          "overdue"?: "true";
          "limit"?: string;
          "cursor"?: string;
        };
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        200: {
          headers: { [name: string]: unknown };
          content: {
            "application/json": {
              "items": (components["schemas"]["Request"])[];
              "nextCursor"?: string;
            };
          };
        };
        400: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        401: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        403: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        404: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        409: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        429: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
      };
    };
    post: {
      parameters: {
        query?: never;
        header?: {
          "Idempotency-Key"?: string;
        };
        path?: never;
        cookie?: never;
      };
      requestBody: {
        content: {
          "application/json": {
            "factoryId": string;
            "title": string;
            "description"?: string;
            "dueDate"?: string;
            "items": ({
              "docType": string;
              "note"?: string;
            })[];
          };
        };
      };
      responses: {
        201: {
          headers: { [name: string]: unknown };
          content: {
            "application/json": components["schemas"]["Request"];
          };
        };
        400: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        401: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        403: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        404: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        409: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        415: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        422: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        429: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
      };
    };
  };
  "/v1/factory/requests": {
    get: {
      parameters: {
        query?: {
          "status"?: "OPEN" | "IN_PROGRESS" | "FULFILLED" | "COMPLETED" | "CANCELLED";
          "dueBefore"?: string;
          "overdue"?: "true";
          "limit"?: string;
          "cursor"?: string;
        };
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        200: {
          headers: { [name: string]: unknown };
          content: {
            "application/json": {
              "items": (components["schemas"]["Request"])[];
              "nextCursor"?: string;
            };
          };
        };
        400: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        401: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        403: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        404: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        409: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        429: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
      };
    };
  };
  "/v1/requests/{requestId}": {
    get: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          "requestId": string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        200: {
          headers: { [name: string]: unknown };
          content: {
            "application/json": components["schemas"]["Request"];
          };
        };
        400: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        401: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        403: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        404: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        409: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        429: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
      };
    };
  };
  "/v1/requests/{requestId}/items/{itemId}/fulfill": {
    post: {
      parameters: {
        query?: never;
        header?: {
          "Idempotency-Key"?: string;
        };
        path: {
          "requestId": string;
          "itemId": string;
        };
        cookie?: never;
      };
      requestBody: {
        content: {
          "application/json": {
            "evidenceId": string;
            "version"?: number;
          };
        };
      };
      responses: {
        200: {
          headers: { [name: string]: unknown };
          content: {
            "application/json": components["schemas"]["Request"];
          };
        };
        400: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        401: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        403: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        404: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        409: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        415: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        422: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        429: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
      };
    };
  };
  "/v1/requests/{requestId}/items/{itemId}/review": {
    post: {
      parameters: {
        query?: never;
        header?: {
          "Idempotency-Key"?: string;
        };
        path: {
          "requestId": string;
          "itemId": string;
        };
        cookie?: never;
      };
      requestBody: {
        content: {
          "application/json": {
            "decision": "ACCEPT" | "REJECT";
            "comment"?: string;
          };
        };
      };
      responses: {
        200: {
          headers: { [name: string]: unknown };
          content: {
            "application/json": components["schemas"]["Request"];
          };
        };
        400: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        401: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        403: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        404: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        409: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        415: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        422: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        429: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
      };
    };
  };
  "/v1/requests/{requestId}/cancel": {
    post: {
      parameters: {
        query?: never;
        header?: {
          "Idempotency-Key"?: string;
        };
        path: {
          "requestId": string;
        };
        cookie?: never;
      };
      requestBody: {
        content: {
          "application/json": {
            "reason"?: string;
          };
        };
      };
      responses: {
        200: {
          headers: { [name: string]: unknown };
          content: {
            "application/json": components["schemas"]["Request"];
          };
        };
        400: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        401: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        403: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        404: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        409: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        415: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        422: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        429: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
      };
    };
  };
  "/v1/requests/{requestId}/history": {
    get: {
      parameters: {
        query?: {
          "actorId"?: string;
          "actorUsername"?: string;
          "limit"?: string;
          "cursor"?: string;
        };
        header?: never;
        path: {
          "requestId": string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        200: {
          headers: { [name: string]: unknown };
          content: {
            "application/json": {
              "items": (components["schemas"]["AuditEvent"])[];
              "nextCursor"?: string;
            };
          };
        };
        400: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        401: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        403: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        404: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        409: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        429: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
      };
    };
  };
  "/v1/evidence": {
    get: {
      parameters: {
        query?: {
          "docType"?: string;
          "limit"?: string;
          "cursor"?: string;
        };
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        200: {
          headers: { [name: string]: unknown };
          content: {
            "application/json": {
              "items": (components["schemas"]["Evidence"])[];
              "nextCursor"?: string;
            };
          };
        };
        400: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        401: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        403: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        404: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        409: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        429: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
      };
    };
    post: {
      parameters: {
        query?: never;
        header?: {
          "Idempotency-Key"?: string;
        };
        path?: never;
        cookie?: never;
      };
      requestBody: {
        content: {
          "application/json": {
            "name": string;
            "docType": string;
            "notes"?: string;
            "expiresAt"?: string;
            "file"?: {
              "fileName": string;
              "contentType": "application/pdf" | "image/png" | "image/jpeg" | "text/csv" | "text/plain" | "application/vnd.openxmlformats-officedocument.wordprocessingml.document" | "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" | "application/vnd.openxmlformats-officedocument.presentationml.presentation";
              "size": number;
              "sha256": string;
            };
          };
        };
      };
      responses: {
        201: {
          headers: { [name: string]: unknown };
          content: {
            "application/json": {
              "evidenceId": string;
              "factoryId": string;
              "name": string;
              "docType": string;
              "notes"?: string;
              "latestVersion": number;
              "versions": ({
                "version": number;
                "createdAt": string;
                "createdBy": string;
                "expiresAt"?: string;
                "notes"?: string;
                "file"?: {
                  "fileName": string;
                  "contentType": "application/pdf" | "image/png" | "image/jpeg" | "text/csv" | "text/plain" | "application/vnd.openxmlformats-officedocument.wordprocessingml.document" | "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" | "application/vnd.openxmlformats-officedocument.presentationml.presentation";
                  "size": number;
                  "sha256": string;
                  "status": "PENDING_UPLOAD" | "AVAILABLE" | "REJECTED";
                };
              })[];
              "createdAt": string;
              "updatedAt": string;
              "uploadUrl"?: string;
            };
          };
        };
        400: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        401: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        403: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        404: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        409: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        415: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        422: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        429: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
      };
    };
  };
  "/v1/evidence/{evidenceId}": {
    get: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          "evidenceId": string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        200: {
          headers: { [name: string]: unknown };
          content: {
            "application/json": components["schemas"]["Evidence"];
          };
        };
        400: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        401: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        403: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        404: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        409: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        429: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
      };
    };
  };
  "/v1/evidence/{evidenceId}/versions": {
    post: {
      parameters: {
        query?: never;
        header?: {
          "Idempotency-Key"?: string;
        };
        path: {
          "evidenceId": string;
        };
        cookie?: never;
      };
      requestBody: {
        content: {
          "application/json": {
            "notes"?: string;
            "expiresAt"?: string;
            "file"?: {
              "fileName": string;
              "contentType": "application/pdf" | "image/png" | "image/jpeg" | "text/csv" | "text/plain" | "application/vnd.openxmlformats-officedocument.wordprocessingml.document" | "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" | "application/vnd.openxmlformats-officedocument.presentationml.presentation";
              "size": number;
              "sha256": string;
            };
          };
        };
      };
      responses: {
        201: {
          headers: { [name: string]: unknown };
          content: {
            "application/json": {
              "version": number;
              "uploadUrl"?: string;
            };
          };
        };
        400: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        401: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        403: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        404: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        409: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        415: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        422: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        429: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
      };
    };
  };
  "/v1/evidence/{evidenceId}/versions/{version}/upload-url": {
    post: {
      parameters: {
        query?: never;
        header?: {
          "Idempotency-Key"?: string;
        };
        path: {
          "evidenceId": string;
          "version": string;
        };
        cookie?: never;
      };
      requestBody: {
        content: {
          "application/json": Record<string, never>;
        };
      };
      responses: {
        200: {
          headers: { [name: string]: unknown };
          content: {
            "application/json": {
              "uploadUrl": string;
              "expiresAt": string;
            };
          };
        };
        400: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        401: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        403: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        404: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        409: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        415: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        422: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        429: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
      };
    };
  };
  "/v1/evidence/{evidenceId}/versions/{version}/file": {
    get: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          "evidenceId": string;
          "version": string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        200: {
          headers: { [name: string]: unknown };
          content: {
            "application/json": {
              "downloadUrl": string;
              "expiresAt": string;
              "fileName": string;
              "contentType": "application/pdf" | "image/png" | "image/jpeg" | "text/csv" | "text/plain" | "application/vnd.openxmlformats-officedocument.wordprocessingml.document" | "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" | "application/vnd.openxmlformats-officedocument.presentationml.presentation";
              "size": number;
              "sha256": string;
            };
          };
        };
        400: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        401: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        403: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        404: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        409: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        429: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
      };
    };
  };
  "/v1/audit": {
    get: {
      parameters: {
        query?: {
          "from"?: string;
          "to"?: string;
          "actorId"?: string;
          "actorUsername"?: string;
          "action"?: "request.create" | "request.list" | "request.read" | "request.item.fulfill" | "request.item.review" | "request.cancel" | "request.history.read" | "evidence.create" | "evidence.list" | "evidence.read" | "evidence.version.create" | "evidence.file.upload-url" | "evidence.file.download" | "evidence.file.verify" | "audit.read" | "system.heartbeat" | "request.comment.create" | "request.comment.list" | "notification.list" | "notification.read" | "webhook.create" | "webhook.list" | "webhook.disable" | "webhook.deliveries.read" | "webhook.auto-disable" | "organisation.list" | "organisation.read" | "organisation.create" | "organisation.suspend" | "user.list" | "user.create" | "user.change-role" | "user.disable" | "user.enable" | "user.data-export" | "user.erase" | "pack.create" | "pack.list" | "pack.read" | "pack.download" | "pack.build" | "share.create" | "share.list" | "share.revoke" | "share.access";
          "resourceType"?: "request" | "evidence" | "audit" | "system" | "notification" | "webhook" | "organisation" | "user" | "pack" | "share";
          "resourceId"?: string;
          "outcome"?: "SUCCESS" | "DENIED" | "FAILED";
          "limit"?: string;
          "cursor"?: string;
        };
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        200: {
          headers: { [name: string]: unknown };
          content: {
            "application/json": {
              "items": (components["schemas"]["AuditEvent"])[];
              "nextCursor"?: string;
            };
          };
        };
        400: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        401: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        403: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        404: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        409: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        429: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
      };
    };
  };
  "/v1/requests/{requestId}/comments": {
    get: {
      parameters: {
        query?: {
          "limit"?: string;
          "cursor"?: string;
        };
        header?: never;
        path: {
          "requestId": string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        200: {
          headers: { [name: string]: unknown };
          content: {
            "application/json": {
              "items": (components["schemas"]["Comment"])[];
              "nextCursor"?: string;
            };
          };
        };
        400: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        401: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        403: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        404: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        409: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        429: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
      };
    };
    post: {
      parameters: {
        query?: never;
        header?: {
          "Idempotency-Key"?: string;
        };
        path: {
          "requestId": string;
        };
        cookie?: never;
      };
      requestBody: {
        content: {
          "application/json": {
            "text": string;
            "itemId"?: string;
          };
        };
      };
      responses: {
        201: {
          headers: { [name: string]: unknown };
          content: {
            "application/json": components["schemas"]["Comment"];
          };
        };
        400: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        401: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        403: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        404: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        409: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        415: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        422: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        429: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
      };
    };
  };
  "/v1/notifications": {
    get: {
      parameters: {
        query?: {
          "unread"?: "true";
          "limit"?: string;
          "cursor"?: string;
        };
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        200: {
          headers: { [name: string]: unknown };
          content: {
            "application/json": {
              "items": (components["schemas"]["Notification"])[];
              "nextCursor"?: string;
            };
          };
        };
        400: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        401: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        403: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        404: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        409: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        429: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
      };
    };
  };
  "/v1/notifications/{notificationId}/read": {
    post: {
      parameters: {
        query?: never;
        header?: {
          "Idempotency-Key"?: string;
        };
        path: {
          "notificationId": string;
        };
        cookie?: never;
      };
      requestBody: {
        content: {
          "application/json": Record<string, never>;
        };
      };
      responses: {
        200: {
          headers: { [name: string]: unknown };
          content: {
            "application/json": components["schemas"]["Notification"];
          };
        };
        400: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        401: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        403: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        404: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        409: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        415: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        422: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        429: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
      };
    };
  };
  "/v1/webhooks": {
    get: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        200: {
          headers: { [name: string]: unknown };
          content: {
            "application/json": {
              "items": (components["schemas"]["Webhook"])[];
            };
          };
        };
        400: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        401: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        403: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        404: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        409: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        429: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
      };
    };
    post: {
      parameters: {
        query?: never;
        header?: {
          "Idempotency-Key"?: string;
        };
        path?: never;
        cookie?: never;
      };
      requestBody: {
        content: {
          "application/json": {
            "url": string;
            "events": ("request.created" | "item.fulfilled" | "item.reviewed" | "request.cancelled" | "comment.created" | "request.due-soon" | "request.overdue" | "evidence.expiring" | "pack.ready" | "user.invited")[];
          };
        };
      };
      responses: {
        201: {
          headers: { [name: string]: unknown };
          content: {
            "application/json": {
              "webhookId": string;
              "orgId": string;
              "url": string;
              "events": ("request.created" | "item.fulfilled" | "item.reviewed" | "request.cancelled" | "comment.created" | "request.due-soon" | "request.overdue" | "evidence.expiring" | "pack.ready" | "user.invited")[];
              "status": "ACTIVE" | "DISABLED";
              "createdAt": string;
              "createdBy": string;
              "disabledAt"?: string;
              "disabledReason"?: string;
              "secret": string;
            };
          };
        };
        400: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        401: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        403: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        404: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        409: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        415: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        422: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        429: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
      };
    };
  };
  "/v1/webhooks/{webhookId}/disable": {
    post: {
      parameters: {
        query?: never;
        header?: {
          "Idempotency-Key"?: string;
        };
        path: {
          "webhookId": string;
        };
        cookie?: never;
      };
      requestBody: {
        content: {
          "application/json": Record<string, never>;
        };
      };
      responses: {
        200: {
          headers: { [name: string]: unknown };
          content: {
            "application/json": components["schemas"]["Webhook"];
          };
        };
        400: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        401: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        403: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        404: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        409: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        415: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        422: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        429: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
      };
    };
  };
  "/v1/webhooks/{webhookId}/deliveries": {
    get: {
      parameters: {
        query?: {
          "limit"?: string;
          "cursor"?: string;
        };
        header?: never;
        path: {
          "webhookId": string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        200: {
          headers: { [name: string]: unknown };
          content: {
            "application/json": {
              "items": (components["schemas"]["WebhookDelivery"])[];
              "nextCursor"?: string;
            };
          };
        };
        400: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        401: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        403: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        404: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        409: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        429: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
      };
    };
  };
  "/v1/organisations": {
    get: {
      parameters: {
        query?: {
          "kind"?: "buyer" | "factory";
          "q"?: string;
          "limit"?: string;
          "cursor"?: string;
        };
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        200: {
          headers: { [name: string]: unknown };
          content: {
            "application/json": {
              "items": (components["schemas"]["Organisation"])[];
              "nextCursor"?: string;
            };
          };
        };
        400: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        401: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        403: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        404: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        409: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        429: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
      };
    };
    post: {
      parameters: {
        query?: never;
        header?: {
          "Idempotency-Key"?: string;
        };
        path?: never;
        cookie?: never;
      };
      requestBody: {
        content: {
          "application/json": {
            "kind": "buyer" | "factory";
            "name": string;
            "country"?: string;
          };
        };
      };
      responses: {
        201: {
          headers: { [name: string]: unknown };
          content: {
            "application/json": components["schemas"]["Organisation"];
          };
        };
        400: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        401: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        403: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        404: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        409: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        415: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        422: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        429: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
      };
    };
  };
  "/v1/organisations/{orgId}": {
    get: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          "orgId": string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        200: {
          headers: { [name: string]: unknown };
          content: {
            "application/json": components["schemas"]["Organisation"];
          };
        };
        400: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        401: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        403: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        404: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        409: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        429: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
      };
    };
  };
  "/v1/organisations/{orgId}/suspend": {
    post: {
      parameters: {
        query?: never;
        header?: {
          "Idempotency-Key"?: string;
        };
        path: {
          "orgId": string;
        };
        cookie?: never;
      };
      requestBody: {
        content: {
          "application/json": {
            "reason": string;
          };
        };
      };
      responses: {
        200: {
          headers: { [name: string]: unknown };
          content: {
            "application/json": components["schemas"]["Organisation"];
          };
        };
        400: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        401: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        403: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        404: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        409: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        415: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        422: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        429: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
      };
    };
  };
  "/v1/users": {
    get: {
      parameters: {
        query?: {
          "orgId"?: string;
          "role"?: "buyer" | "factory" | "auditor" | "admin";
          "limit"?: string;
          "cursor"?: string;
        };
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        200: {
          headers: { [name: string]: unknown };
          content: {
            "application/json": {
              "items": (components["schemas"]["User"])[];
              "nextCursor"?: string;
            };
          };
        };
        400: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        401: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        403: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        404: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        409: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        429: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
      };
    };
    post: {
      parameters: {
        query?: never;
        header?: {
          "Idempotency-Key"?: string;
        };
        path?: never;
        cookie?: never;
      };
      requestBody: {
        content: {
          "application/json": {
            "username": string;
            "email": string;
            "role": "buyer" | "factory" | "auditor" | "admin";
            "orgId"?: string;
          };
        };
      };
      responses: {
        201: {
          headers: { [name: string]: unknown };
          content: {
            "application/json": components["schemas"]["User"];
          };
        };
        400: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        401: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        403: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        404: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        409: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        415: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        422: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        429: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
      };
    };
  };
  "/v1/users/{userId}/change-role": {
    post: {
      parameters: {
        query?: never;
        header?: {
          "Idempotency-Key"?: string;
        };
        path: {
          "userId": string;
        };
        cookie?: never;
      };
      requestBody: {
        content: {
          "application/json": {
            "role": "buyer" | "factory" | "auditor" | "admin";
            "orgId"?: string;
          };
        };
      };
      responses: {
        200: {
          headers: { [name: string]: unknown };
          content: {
            "application/json": components["schemas"]["User"];
          };
        };
        400: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        401: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        403: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        404: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        409: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        415: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        422: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        429: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
      };
    };
  };
  "/v1/users/{userId}/disable": {
    post: {
      parameters: {
        query?: never;
        header?: {
          "Idempotency-Key"?: string;
        };
        path: {
          "userId": string;
        };
        cookie?: never;
      };
      requestBody: {
        content: {
          "application/json": {
            "reason"?: string;
          };
        };
      };
      responses: {
        200: {
          headers: { [name: string]: unknown };
          content: {
            "application/json": components["schemas"]["User"];
          };
        };
        400: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        401: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        403: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        404: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        409: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        415: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        422: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        429: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
      };
    };
  };
  "/v1/users/{userId}/enable": {
    post: {
      parameters: {
        query?: never;
        header?: {
          "Idempotency-Key"?: string;
        };
        path: {
          "userId": string;
        };
        cookie?: never;
      };
      requestBody: {
        content: {
          "application/json": {
            "reason"?: string;
          };
        };
      };
      responses: {
        200: {
          headers: { [name: string]: unknown };
          content: {
            "application/json": components["schemas"]["User"];
          };
        };
        400: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        401: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        403: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        404: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        409: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        415: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        422: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        429: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
      };
    };
  };
  "/v1/users/{userId}/data-export": {
    get: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          "userId": string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        200: {
          headers: { [name: string]: unknown };
          content: {
            "application/json": components["schemas"]["DataExport"];
          };
        };
        400: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        401: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        403: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        404: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        409: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        429: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
      };
    };
  };
  "/v1/users/{userId}/erase": {
    post: {
      parameters: {
        query?: never;
        header?: {
          "Idempotency-Key"?: string;
        };
        path: {
          "userId": string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        200: {
          headers: { [name: string]: unknown };
          content: {
            "application/json": components["schemas"]["Erasure"];
          };
        };
        400: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        401: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        403: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        404: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        409: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        415: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        422: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        429: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
      };
    };
  };
  "/v1/packs": {
    get: {
      parameters: {
        query?: {
          "status"?: "PENDING" | "READY" | "FAILED";
          "limit"?: string;
          "cursor"?: string;
        };
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        200: {
          headers: { [name: string]: unknown };
          content: {
            "application/json": {
              "items": (components["schemas"]["Pack"])[];
              "nextCursor"?: string;
            };
          };
        };
        400: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        401: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        403: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        404: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        409: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        429: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
      };
    };
    post: {
      parameters: {
        query?: never;
        header?: {
          "Idempotency-Key"?: string;
        };
        path?: never;
        cookie?: never;
      };
      requestBody: {
        content: {
          "application/json": {
            "title": string;
            "items": ({
              "evidenceId": string;
              "version": number;
            })[];
            "sharedWithOrgId"?: string;
          };
        };
      };
      responses: {
        202: {
          headers: { [name: string]: unknown };
          content: {
            "application/json": components["schemas"]["Pack"];
          };
        };
        400: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        401: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        403: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        404: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        409: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        415: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        422: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        429: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
      };
    };
  };
  "/v1/packs/{packId}": {
    get: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          "packId": string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        200: {
          headers: { [name: string]: unknown };
          content: {
            "application/json": components["schemas"]["Pack"];
          };
        };
        400: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        401: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        403: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        404: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        409: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        429: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
      };
    };
  };
  "/v1/packs/{packId}/download": {
    get: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          "packId": string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        200: {
          headers: { [name: string]: unknown };
          content: {
            "application/json": {
              "downloadUrl": string;
              "expiresAt": string;
            };
          };
        };
        400: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        401: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        403: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        404: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        409: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        429: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
      };
    };
  };
  "/v1/packs/{packId}/links": {
    get: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          "packId": string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        200: {
          headers: { [name: string]: unknown };
          content: {
            "application/json": {
              "items": (components["schemas"]["ShareLink"])[];
            };
          };
        };
        400: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        401: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        403: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        404: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        409: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        429: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
      };
    };
    post: {
      parameters: {
        query?: never;
        header?: {
          "Idempotency-Key"?: string;
        };
        path: {
          "packId": string;
        };
        cookie?: never;
      };
      requestBody: {
        content: {
          "application/json": {
            "expiresInDays"?: number;
            "note"?: string;
          };
        };
      };
      responses: {
        201: {
          headers: { [name: string]: unknown };
          content: {
            "application/json": {
              "linkId": string;
              "packId": string;
              "createdBy": string;
              "createdAt": string;
              "expiresAt": string;
              "revokedAt"?: string;
              "note"?: string;
              "accessCount": number;
              "lastAccessAt"?: string;
              "url": string;
              "token": string;
            };
          };
        };
        400: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        401: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        403: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        404: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        409: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        415: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        422: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        429: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
      };
    };
  };
  "/v1/packs/{packId}/links/{linkId}/revoke": {
    post: {
      parameters: {
        query?: never;
        header?: {
          "Idempotency-Key"?: string;
        };
        path: {
          "packId": string;
          "linkId": string;
        };
        cookie?: never;
      };
      requestBody: {
        content: {
          "application/json": Record<string, never>;
        };
      };
      responses: {
        200: {
          headers: { [name: string]: unknown };
          content: {
            "application/json": components["schemas"]["ShareLink"];
          };
        };
        400: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        401: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        403: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        404: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        409: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        415: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        422: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        429: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
      };
    };
  };
  "/v1/shared/{token}": {
    get: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          "token": string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        200: {
          headers: { [name: string]: unknown };
          content: {
            "application/json": {
              "title": string;
              "items": ({
                "evidenceId": string;
                "version": number;
                "name": string;
                "docType": string;
                "fileName"?: string;
                "sha256"?: string;
              })[];
              "createdAt": string;
              "expiresAt": string;
              "downloadUrl": string;
            };
          };
        };
        400: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        401: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        403: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        404: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        409: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
        429: {
          headers: { [name: string]: unknown };
          content: {
            "application/problem+json": components["schemas"]["Problem"];
          };
        };
      };
    };
  };
}

export interface components {
  schemas: {
    "Request": {
      "requestId": string;
      "buyerOrgId": string;
      "factoryId": string;
      "title": string;
      "description"?: string;
      "dueDate"?: string;
      "status": "OPEN" | "IN_PROGRESS" | "FULFILLED" | "COMPLETED" | "CANCELLED";
      "items": ({
        "itemId": string;
        "docType": string;
        "note"?: string;
        "status": "PENDING" | "FULFILLED" | "ACCEPTED" | "REJECTED";
        "evidenceId"?: string;
        "evidenceVersion"?: number;
        "fulfilledAt"?: string;
        "reviewComment"?: string;
        "reviews"?: ({
          "decision": "ACCEPT" | "REJECT";
          "comment"?: string;
          "by": string;
          "at": string;
        })[];
      })[];
      "createdAt": string;
      "createdBy": string;
      "updatedAt": string;
      "cancelledAt"?: string;
      "cancelledBy"?: string;
      "cancelReason"?: string;
    };
    "AuditEvent": {
      "eventId": string;
      "occurredAt": string;
      "action": "request.create" | "request.list" | "request.read" | "request.item.fulfill" | "request.item.review" | "request.cancel" | "request.history.read" | "evidence.create" | "evidence.list" | "evidence.read" | "evidence.version.create" | "evidence.file.upload-url" | "evidence.file.download" | "evidence.file.verify" | "audit.read" | "system.heartbeat" | "request.comment.create" | "request.comment.list" | "notification.list" | "notification.read" | "webhook.create" | "webhook.list" | "webhook.disable" | "webhook.deliveries.read" | "webhook.auto-disable" | "organisation.list" | "organisation.read" | "organisation.create" | "organisation.suspend" | "user.list" | "user.create" | "user.change-role" | "user.disable" | "user.enable" | "user.data-export" | "user.erase" | "pack.create" | "pack.list" | "pack.read" | "pack.download" | "pack.build" | "share.create" | "share.list" | "share.revoke" | "share.access";
      "outcome": "SUCCESS" | "DENIED" | "FAILED";
      "actor": {
        "userId": string;
        "role": string;
        "orgId"?: string;
        "username"?: string;
      };
      "resource": {
        "type": "request" | "evidence" | "audit" | "system" | "notification" | "webhook" | "organisation" | "user" | "pack" | "share";
        "id"?: string;
      };
      "statusCode": number;
      "reason"?: string;
      "correlationId": string;
      "sourceIp"?: string;
      "userAgent"?: string;
      "changes"?: {
        [key: string]: unknown;
      };
    };
    "Evidence": {
      "evidenceId": string;
      "factoryId": string;
      "name": string;
      "docType": string;
      "notes"?: string;
      "latestVersion": number;
      "versions": ({
        "version": number;
        "createdAt": string;
        "createdBy": string;
        "expiresAt"?: string;
        "notes"?: string;
        "file"?: {
          "fileName": string;
          "contentType": "application/pdf" | "image/png" | "image/jpeg" | "text/csv" | "text/plain" | "application/vnd.openxmlformats-officedocument.wordprocessingml.document" | "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" | "application/vnd.openxmlformats-officedocument.presentationml.presentation";
          "size": number;
          "sha256": string;
          "status": "PENDING_UPLOAD" | "AVAILABLE" | "REJECTED";
        };
      })[];
      "createdAt": string;
      "updatedAt": string;
    };
    "Comment": {
      "commentId": string;
      "requestId": string;
      "itemId"?: string;
      "text": string;
      "author": {
        "userId": string;
        "username": string;
        "role": "buyer" | "factory" | "auditor" | "admin";
        "orgId": string;
      };
      "createdAt": string;
    };
    "Notification": {
      "notificationId": string;
      "event": "request.created" | "item.fulfilled" | "item.reviewed" | "request.cancelled" | "comment.created" | "request.due-soon" | "request.overdue" | "evidence.expiring" | "pack.ready" | "user.invited" | "webhook.disabled";
      "subject": {
        "type": "request" | "evidence" | "pack" | "webhook" | "user";
        "id": string;
      };
      "summary": string;
      "createdAt": string;
      "readAt"?: string;
    };
    "Webhook": {
      "webhookId": string;
      "orgId": string;
      "url": string;
      "events": ("request.created" | "item.fulfilled" | "item.reviewed" | "request.cancelled" | "comment.created" | "request.due-soon" | "request.overdue" | "evidence.expiring" | "pack.ready" | "user.invited")[];
      "status": "ACTIVE" | "DISABLED";
      "createdAt": string;
      "createdBy": string;
      "disabledAt"?: string;
      "disabledReason"?: string;
    };
    "WebhookDelivery": {
      "deliveryId": string;
      "event": "request.created" | "item.fulfilled" | "item.reviewed" | "request.cancelled" | "comment.created" | "request.due-soon" | "request.overdue" | "evidence.expiring" | "pack.ready" | "user.invited";
      "attempt": number;
      "statusCode"?: number;
      "error"?: string;
      "at": string;
    };
    "Organisation": {
      "orgId": string;
      "kind": "buyer" | "factory";
      "name": string;
      "country"?: string;
      "status"?: "ACTIVE" | "SUSPENDED";
      "createdAt"?: string;
    };
    "User": {
      "userId": string;
      "username": string;
      "email"?: string;
      "role": "buyer" | "factory" | "auditor" | "admin";
      "orgId"?: string;
      "status"?: "ACTIVE" | "DISABLED";
      "createdAt"?: string;
      "updatedAt"?: string;
    };
    "DataExport": {
      "exportedAt": string;
      "profile": components["schemas"]["User"];
      "requests": (components["schemas"]["Request"])[];
      "evidence": ({
        [key: string]: unknown;
      })[];
      "comments": (components["schemas"]["Comment"])[];
      "notifications": (components["schemas"]["Notification"])[];
      "auditEvents": (components["schemas"]["AuditEvent"])[];
      "auditEventsTruncated"?: boolean;
    };
    "Erasure": {
      "userId": string;
      "erasedAt": string;
    };
    "Pack": {
      "packId": string;
      "title": string;
      "ownerOrgId": string;
      "sharedWithOrgId"?: string;
      "status": "PENDING" | "READY" | "FAILED";
      "items": ({
        "evidenceId": string;
        "version": number;
        "name": string;
        "docType": string;
        "fileName"?: string;
        "sha256"?: string;
      })[];
      "createdAt": string;
      "createdBy": string;
      "readyAt"?: string;
      "size"?: number;
      "sha256"?: string;
      "failureReason"?: string;
      "expiresAt": string;
    };
    "ShareLink": {
      "linkId": string;
      "packId": string;
      "createdBy": string;
      "createdAt": string;
      "expiresAt": string;
      "revokedAt"?: string;
      "note"?: string;
      "accessCount": number;
      "lastAccessAt"?: string;
    };
    "Problem": {
      "type": string;
      "title": string;
      "status": number;
      "code": components["schemas"]["ProblemCode"];
      "detail"?: string;
      "correlationId": string;
      "errors"?: ({
        "path": string;
        "message": string;
      })[];
    };
    "ProblemCode": "invalid-input" | "invalid-json" | "invalid-utf8" | "unsupported-media-type" | "range-reversed" | "invalid-cursor" | "header-repeated" | "idempotency-key-invalid" | "factory-not-registered" | "evidence-not-found" | "evidence-doctype-mismatch" | "version-not-found" | "version-expired" | "file-not-found" | "file-not-available" | "file-not-pending" | "credentials-missing" | "token-invalid" | "role-forbidden" | "organisation-missing" | "request-not-found" | "item-not-found" | "no-route" | "request-closed" | "item-not-pending" | "item-not-fulfilled" | "request-not-cancellable" | "too-many-versions" | "update-contention" | "concurrent-update" | "idempotency-key-reused" | "idempotent-request-in-flight" | "service-busy" | "archive-chain-broken" | "archive-record-invalid" | "manifest-head-conflict" | "audit-reconciliation-mismatch" | "method-not-allowed" | "payload-too-large" | "rate-limited" | "throttled" | "starting" | "bad-credentials" | "timeout" | "bad-gateway" | "internal" | "due-date-past" | "comment-item-not-found" | "notification-not-found" | "webhook-not-found" | "webhook-url-refused" | "organisation-not-found" | "user-not-found" | "organisation-kind-mismatch" | "organisation-suspended" | "username-taken" | "self-change-forbidden" | "last-admin" | "user-erased" | "session-revoked" | "pack-not-found" | "pack-item-duplicate" | "pack-shared-with-required" | "pack-shared-with-forbidden" | "buyer-not-registered" | "pack-not-ready" | "pack-expired" | "share-link-not-found" | "shared-not-found";
  };
}
