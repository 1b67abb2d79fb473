/**
 * Value lists the served OpenAPI document defines (audit actions, outcomes, file types), read
 * from `GET /v1/openapi.json` once per page, so the console's choices never drift from the API.
 */
import { useEffect, useState } from 'react';
import { useSession } from '../context';
import type { ContentType } from '../upload';

interface EnumSchema {
  readonly enum?: readonly string[];
  readonly properties?: Readonly<Record<string, EnumSchema>>;
  readonly items?: EnumSchema;
}

let document: Promise<{ components: { schemas: Record<string, EnumSchema> } }> | undefined;

function served(apiBase: string) {
  document ??= fetch(`${apiBase}/v1/openapi.json`).then((response) => {
    if (!response.ok) throw new Error(`/v1/openapi.json answered ${response.status}`);
    return response.json() as Promise<{ components: { schemas: Record<string, EnumSchema> } }>;
  });
  return document;
}

/** The enum at `path` (property names, `[]` for array items) below a component schema. */
export async function documentEnum(apiBase: string, schema: string, path: readonly string[]): Promise<readonly string[]> {
  let node: EnumSchema | undefined = (await served(apiBase)).components.schemas[schema];
  for (const step of path) node = step === '[]' ? node?.items : node?.properties?.[step];
  return node?.enum ?? [];
}

export function useDocumentEnum(schema: string, path: readonly string[]): readonly string[] {
  const { apiBase } = useSession().config;
  const [values, setValues] = useState<readonly string[]>([]);
  const key = `${schema}/${path.join('/')}`;
  useEffect(() => {
    let live = true;
    documentEnum(apiBase, schema, path).then(
      (found) => live && setValues(found),
      () => undefined,
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);
  return values;
}

export function useContentTypes(): readonly ContentType[] {
  return useDocumentEnum('Evidence', ['versions', '[]', 'file', 'contentType']) as readonly ContentType[];
}
