import type { Logger } from '@nestjs/common';
import type { Response } from 'express';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/**
 * Writes a streamed body (audio, a stored file) after the headers the caller set. A failure once bytes have
 * gone out can no longer become an error answer: the response is cut short (the client sees a broken
 * transfer, never a truncated file taken for whole) and the failure is logged. A client that hangs up stops
 * the source, which frees whatever it reads from.
 */
export async function streamBody(res: Response, body: AsyncIterable<Buffer> | Readable, logger: Logger, what: string): Promise<void> {
  try {
    await pipeline(body, res);
  } catch (error) {
    if (!res.destroyed) res.destroy();
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    if (code === 'ERR_STREAM_PREMATURE_CLOSE') logger.log(`The client left before ${what} was sent in full`);
    else logger.warn({ err: error }, `Sending ${what} failed midway; the response was cut short`);
  }
}
