import { Body, Controller, HttpCode, Logger, Post, Res, UploadedFiles, UseGuards, UseInterceptors } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiProduces, ApiResponse } from '@nestjs/swagger';
import type { Response } from 'express';
import { ParsedBody, Returns } from '../docs/route-schema.util';
import { NoRequestTimeout } from '../protection/request-timeout.interceptor';
import { AppKeyGuard, CurrentApp, type AppKeyContext } from '../service-api/app-key.guard';
import { streamBody } from '../service-api/binary-response.util';
import { AudioUploadInterceptor } from './audio-upload.interceptor';
import {
  AudioToTextFormOpenApi,
  AudioToTextResponseSchema,
  readAudioForm,
  TextToAudioRequestSchema,
  type AudioToTextResponse,
  type TextToAudioRequest,
} from './audio.dto';
import { AudioService } from './audio.service';

/**
 * Dify's `POST /v1/audio-to-text` (a recording to text) and `POST /v1/text-to-audio` (text, or a message's
 * answer, to MP3), for apps whose `speech_to_text` / `text_to_speech` feature is on. Both may take longer
 * than REQUEST_TIMEOUT_MS (a long recording, a long text); the provider calls have time limits of their own.
 */
@Controller('v1')
@UseGuards(AppKeyGuard)
export class AudioController {
  private readonly logger = new Logger(AudioController.name);

  constructor(private readonly audio: AudioService) {}

  /** The body is a multipart form, read by the interceptor and `readAudioForm`, not by `@ParsedBody`. */
  @Post('audio-to-text')
  @HttpCode(200)
  @NoRequestTimeout()
  @UseInterceptors(AudioUploadInterceptor)
  @ApiConsumes('multipart/form-data')
  @ApiBody({ required: true, schema: AudioToTextFormOpenApi as never })
  @Returns(AudioToTextResponseSchema)
  audioToText(
    @CurrentApp() ctx: AppKeyContext,
    @UploadedFiles() files: Express.Multer.File[] | undefined,
    @Body() body: unknown,
  ): Promise<AudioToTextResponse> {
    const parts = (files ?? []).map((f) => ({ buffer: f.buffer, fieldName: f.fieldname, mimeType: f.mimetype }));
    return this.audio.transcribe(ctx, { files: parts, ...readAudioForm(body) });
  }

  // Written by hand: the audio streams from the provider to the client as it is spoken.
  @Post('text-to-audio')
  @HttpCode(200)
  @NoRequestTimeout()
  @ApiProduces('audio/mpeg')
  @ApiResponse({
    content: { 'audio/mpeg': { schema: { format: 'binary', type: 'string' } } },
    description: 'The speech, as MP3',
    status: 200,
  })
  @Returns(null)
  async textToAudio(
    @CurrentApp() ctx: AppKeyContext,
    @ParsedBody(TextToAudioRequestSchema) body: TextToAudioRequest,
    @Res() res: Response,
  ): Promise<void> {
    const audio = await this.audio.speak(ctx, body);
    res.status(200).setHeader('content-type', 'audio/mpeg');
    await streamBody(res, audio, this.logger, `speech for app "${ctx.app.id}"`);
  }
}
