import { DynamicModule, Module } from '@nestjs/common';
import { createSsrfGuard, parseAllowedHosts } from '@weft/outbound-http';
import { AppsModule } from '../apps/apps.module';
import { AudioUploadInterceptor } from './audio-upload.interceptor';
import { AudioController } from './audio.controller';
import { AUDIO_SETTINGS, AudioService, type AudioSettings } from './audio.service';
import { SPEECH_GUARD, SpeechProviderRepository } from './speech-provider.repository';

/** Dify's speech routes (`/v1/audio-to-text`, `/v1/text-to-audio`) through the workspace's OpenAI-compatible provider. */
@Module({})
export class AudioModule {
  static forRoot(settings: AudioSettings & { providerAllowedHosts: string | undefined }): DynamicModule {
    return {
      module: AudioModule,
      imports: [AppsModule],
      controllers: [AudioController],
      providers: [
        AudioService,
        AudioUploadInterceptor,
        SpeechProviderRepository,
        { provide: AUDIO_SETTINGS, useValue: { maxMb: settings.maxMb } },
        // Provider base URLs have their own, operator-set allow-list, as in the node runner and the rag service.
        {
          provide: SPEECH_GUARD,
          useValue: createSsrfGuard({ allowedHosts: parseAllowedHosts(settings.providerAllowedHosts), setting: 'PROVIDER_ALLOWED_HOSTS' }),
        },
      ],
    };
  }
}
