/**
 * Where a block's objects live, whatever its format: `<tenantId>/<blockId>/<name>`, with
 * `meta.json` written last (its presence is what makes a block visible).
 */

export const META_OBJECT = 'meta.json';

export function blockPrefix(tenantId: string, blockId: string): string {
  return `${tenantId}/${blockId}/`;
}

export function blockObjectKey(tenantId: string, blockId: string, name: string): string {
  return `${blockPrefix(tenantId, blockId)}${name}`;
}
