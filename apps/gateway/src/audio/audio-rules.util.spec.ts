import { audioSubtype, readSpeechFeature, transcriptionFileName } from './audio-rules.util';

describe('audioSubtype', () => {
  it('accepts the audio types of Dify`s code and of its documentation, by the declared type', () => {
    for (const subtype of ['mp3', 'mp4', 'mpeg', 'mpga', 'm4a', 'wav', 'webm', 'amr'])
      expect(audioSubtype(`audio/${subtype}`)).toBe(subtype);
  });

  it('ignores case and parameters, as a recorder sends `audio/webm;codecs=opus`', () => {
    expect(audioSubtype('Audio/WEBM; codecs=opus')).toBe('webm');
    expect(audioSubtype(' audio/mpeg ')).toBe('mpeg');
  });

  it('refuses every other type, octet-stream and video included, as Dify does', () => {
    for (const type of [
      undefined,
      '',
      'application/octet-stream',
      'video/mp4',
      'audio/ogg',
      'audio/x-wav',
      'audio/',
      'text/html',
      'audio/mp3x',
    ])
      expect(audioSubtype(type)).toBeNull();
  });
});

describe('transcriptionFileName', () => {
  it('names the file by its type, MPEG audio as .mp3 (OpenAI decodes by extension)', () => {
    expect(transcriptionFileName('mpeg')).toBe('audio.mp3');
    expect(transcriptionFileName('wav')).toBe('audio.wav');
    expect(transcriptionFileName('webm')).toBe('audio.webm');
  });
});

describe('readSpeechFeature', () => {
  it('reads enabled, voice and Weft`s model and provider keys', () => {
    expect(
      readSpeechFeature(
        { text_to_speech: { enabled: true, language: 'en-US', model: ' tts-1-hd ', provider: 'openai', voice: 'nova' } },
        'text_to_speech',
      ),
    ).toEqual({ enabled: true, model: 'tts-1-hd', provider: 'openai', voice: 'nova' });
  });

  it('reads a missing, malformed or half-set feature as disabled and unset', () => {
    const off = { enabled: false, model: undefined, provider: undefined, voice: undefined };
    expect(readSpeechFeature({}, 'speech_to_text')).toEqual(off);
    expect(readSpeechFeature({ speech_to_text: 'yes' }, 'speech_to_text')).toEqual(off);
    expect(readSpeechFeature({ speech_to_text: [true] }, 'speech_to_text')).toEqual(off);
    expect(readSpeechFeature({ speech_to_text: { enabled: 'true', voice: '', model: 3 } }, 'speech_to_text')).toEqual(off);
    expect(readSpeechFeature({ speech_to_text: { enabled: true } }, 'text_to_speech')).toEqual(off);
  });
});
