import { z } from 'zod';
import { NodeDataCommonSchema } from '../dsl/dsl.contract';
import { asList, asRecord } from '../dsl/dsl-value.util';
import type { NodeTypeContract } from './node-type.types';

/** `data` of an http-request node. */
export const HttpRequestNodeDataSchema = NodeDataCommonSchema.extend({ method: z.string(), url: z.string() }).passthrough();

/** Typed view of an http-request node's data. */
export type HttpRequestNodeData = z.infer<typeof HttpRequestNodeDataSchema>;

/** The http-request node: one outbound request through the SSRF guard. */
export const HTTP_REQUEST_NODE_CONTRACT = {
  dataSchema: HttpRequestNodeDataSchema,
  outputs: [
    { name: 'status_code', type: 'number' },
    { name: 'body', type: 'string' },
    { name: 'headers', type: 'object' },
    { name: 'files', type: 'array[file]' },
  ],
  readReferences: (data, read) => {
    read.template(data.url, 'url');
    read.template(data.headers, 'headers');
    read.template(data.params, 'params');
    read.template(asRecord(asRecord(data.authorization).config).api_key, 'authorization.config.api_key');
    const body = asRecord(data.body);
    // Before Dify 0.8 a request body's `data` was one string; since then it is a list of parts.
    if (typeof body.data === 'string') read.template(body.data, 'body.data');
    asList(body.data).forEach((part, i) => {
      const entry = asRecord(part);
      read.template(entry.key, `body.data[${i}].key`);
      read.template(entry.value, `body.data[${i}].value`);
      if (entry.type === 'file') read.selector(entry.file, `body.data[${i}].file`);
    });
  },
  role: 'step',
  runsIn: 'node-runner',
} as const satisfies NodeTypeContract;
