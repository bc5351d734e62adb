import { SetMetadata } from '@nestjs/common';
import type { RequestOf, RequestSubject, ResponseOf } from '@weft/contracts';
import type { MessageContext } from './messaging.types';

export const ON_REQUEST = Symbol('weft:on-request');

/** Marks a handler method as the answer to a request subject; its signature is checked against the contract. */
export function OnRequest<S extends RequestSubject>(subject: S) {
  return <T extends (payload: RequestOf<S>, ctx: MessageContext) => Promise<ResponseOf<S>>>(
    target: object,
    key: string | symbol,
    descriptor: TypedPropertyDescriptor<T>,
  ) => {
    SetMetadata(ON_REQUEST, subject)(target, key, descriptor);
    return descriptor;
  };
}
