/** Files for evidence versions: the SHA-256 computed in the browser, and the presigned PUT with progress. */
import type { Schemas } from './api/client';

type FileSpec = NonNullable<Schemas['Evidence']['versions'][number]['file']>;
export type ContentType = FileSpec['contentType'];

/** The file's own type when the API accepts it (`accepted`: the served document's list). */
export function contentTypeOf(file: File, accepted: readonly ContentType[]): ContentType | undefined {
  return (accepted as readonly string[]).includes(file.type) ? (file.type as ContentType) : undefined;
}

export interface Digest {
  /** Lowercase hex, as the API takes it. */
  readonly hex: string;
  /** Base64, as S3's `x-amz-checksum-sha256` takes it. */
  readonly base64: string;
}

export async function sha256(file: Blob): Promise<Digest> {
  const bytes = new Uint8Array(await crypto.subtle.digest('SHA-256', await file.arrayBuffer()));
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return { hex: [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(''), base64: btoa(binary) };
}

export class UploadError extends Error {
  override readonly name = 'UploadError';
}

/**
 * PUTs the file to its presigned URL with exactly the signed headers (content type, the
 * checksum, write-once), reporting progress from 0 to 1. XMLHttpRequest, since fetch has no
 * upload progress.
 */
export function uploadFile(url: string, file: File, contentType: ContentType, digest: Digest, onProgress: (fraction: number) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', url);
    xhr.setRequestHeader('Content-Type', contentType);
    xhr.setRequestHeader('x-amz-checksum-sha256', digest.base64);
    xhr.setRequestHeader('If-None-Match', '*');
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(1);
        resolve();
      } else {
        const code = /<Code>([^<]+)<\/Code>/.exec(xhr.responseText)?.[1];
        reject(new UploadError(`The file store refused the upload: ${xhr.status}${code ? ` ${code}` : ''}`));
      }
    };
    xhr.onerror = () => reject(new UploadError('The upload did not reach the file store'));
    xhr.send(file);
  });
}
