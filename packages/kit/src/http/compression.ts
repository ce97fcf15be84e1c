import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';

/** Content codings the kit answers with; `identity` is the body as is. */
export type ContentCoding = 'br' | 'gzip' | 'identity';
export type CompressedCoding = Exclude<ContentCoding, 'identity'>;

/** Bodies smaller than this are sent as they are: compression would save less than it costs. */
export const DEFAULT_COMPRESSION_MIN_BYTES = 1024;

/** Brotli quality for dynamic content: most of the ratio of high qualities at a small part of their CPU. */
const BROTLI_QUALITY = 4;
/** gzip level for dynamic content, between speed (1) and size (9). */
const GZIP_LEVEL = 5;

const QVALUE = /^(?:0(?:\.\d*)?|1(?:\.0*)?)$/;

/** The q-value of one Accept-Encoding entry (1 without one), or null when the entry is malformed and ignored. */
function qualityOf(params: readonly string[]): number | null {
  for (const param of params) {
    const eq = param.indexOf('=');
    if (eq === -1 || param.slice(0, eq).trim().toLowerCase() !== 'q') continue;
    const value = param.slice(eq + 1).trim();
    return QVALUE.test(value) ? Number(value) : null;
  }
  return 1;
}

/**
 * The coding to answer with for a request's Accept-Encoding (RFC 9110 §12.5.3): the acceptable coding of highest
 * q-value, br before gzip before identity when equal. `*` stands for every coding not listed; `q=0` refuses one.
 * Identity is acceptable unless refused (`identity;q=0`, or `*;q=0` without an identity entry) and, when not listed,
 * ranks with the lowest listed q-value, so `gzip;q=0.5` still gets gzip. No header: identity. When every coding is
 * refused the answer is identity too (the RFC lets a server send an unencoded body rather than 406).
 */
export function negotiateEncoding(header: string | undefined): ContentCoding {
  if (!header) return 'identity';
  const listed = new Map<string, number>();
  let lowest = 1;
  for (const entry of header.split(',')) {
    const [rawName = '', ...params] = entry.split(';');
    const name = rawName.trim().toLowerCase();
    if (!name) continue;
    const q = qualityOf(params);
    if (q === null || listed.has(name)) continue;
    listed.set(name, q);
    if (q > 0) lowest = Math.min(lowest, q);
  }
  const star = listed.get('*');
  const br = listed.get('br') ?? star ?? 0;
  const gz = listed.get('gzip') ?? listed.get('x-gzip') ?? star ?? 0;
  const identity = listed.get('identity') ?? (star === 0 ? 0 : (star ?? lowest));
  if (br > 0 && br >= gz && br >= identity) return 'br';
  if (gz > 0 && gz >= identity) return 'gzip';
  return 'identity';
}

const brotliAsync = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

/** Compresses a dynamic response body on the libuv thread pool (node:zlib's async API), off the event loop. */
export function compress(body: Buffer, coding: CompressedCoding): Promise<Buffer> {
  if (coding === 'br') {
    return brotliAsync(body, {
      params: {
        [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
        [constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY,
        [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
      },
    });
  }
  return gzipAsync(body, { level: GZIP_LEVEL });
}

/**
 * Whether a response may be compressed: a body of at least `minBytes` that carries no content coding yet and is
 * allowed a body at all (not 1xx, 204 or 304).
 */
export function isCompressible(status: number, contentEncoding: string | undefined, bodyBytes: number, minBytes: number): boolean {
  if (status < 200 || status === 204 || status === 304) return false;
  if (contentEncoding !== undefined && contentEncoding.trim().toLowerCase() !== 'identity') return false;
  return bodyBytes >= minBytes;
}

/** A Vary header value that also names `field` (kept as is when it already does, or is `*`). */
export function varyWith(existing: string | undefined, field: string): string {
  if (!existing) return field;
  const names = existing.split(',').map((name) => name.trim().toLowerCase());
  return names.includes('*') || names.includes(field.toLowerCase()) ? existing : `${existing}, ${field}`;
}
