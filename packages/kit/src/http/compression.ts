import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import Negotiator from 'negotiator';

/** Content codings the kit answers with; `identity` is the body as is. */
export type ContentCoding = 'br' | 'gzip' | 'identity';
export type CompressedCoding = Exclude<ContentCoding, 'identity'>;

/** Bodies smaller than this are sent as they are: compression would save less than it costs. */
export const DEFAULT_COMPRESSION_MIN_BYTES = 1024;

/** Brotli quality for dynamic content: most of the ratio of high qualities at a small part of their CPU. */
const BROTLI_QUALITY = 4;
/** gzip level for dynamic content, between speed (1) and size (9). */
const GZIP_LEVEL = 5;

/**
 * negotiator ≥ 1 breaks ties between equally weighted codings by the server's `preferred` order; @types/negotiator
 * (written for 0.6) does not declare that argument yet, so this is the call as negotiator 1 takes it.
 */
interface EncodingNegotiator {
  encoding(available: readonly string[], options: { readonly preferred: readonly string[] }): string | undefined;
}

/** What the kit can answer with, best first; `x-gzip` is the old name of gzip (RFC 9110 §8.4.1.3). */
const CODINGS = ['br', 'gzip', 'x-gzip', 'identity'] as const;

/**
 * The coding to answer with for a request's Accept-Encoding (RFC 9110 §12.5.3), negotiated by `negotiator`: the
 * acceptable coding of highest q-value, br before gzip before identity when equal. `*` stands for every coding not
 * listed; `q=0` refuses one. Identity is acceptable unless refused and, when not listed, ranks with the lowest listed
 * q-value, so `gzip;q=0.5` still gets gzip. No header: identity. When every coding is refused the answer is identity
 * too (the RFC lets a server send an unencoded body rather than 406).
 */
export function negotiateEncoding(header: string | undefined): ContentCoding {
  if (!header) return 'identity';
  const negotiator: EncodingNegotiator = new Negotiator({ headers: { 'accept-encoding': header } });
  const coding = negotiator.encoding(CODINGS, { preferred: CODINGS });
  if (coding === 'br') return 'br';
  if (coding === 'gzip' || coding === 'x-gzip') return 'gzip';
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
export function isCompressible(
  status: number,
  contentEncoding: string | undefined,
  bodyBytes: number,
  minBytes: number,
): boolean {
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
