import { Injectable } from '@nestjs/common';
import { DomainError, type RequestOf, type ResponseOf } from '@weft/contracts';
import { OnRequest } from '@weft/messaging';
import { checkValueType, isVariableValueType } from '@weft/workflow';
import { ConversationVariableRepository } from './conversation-variable.repository';

/** NATS surface of chatflow conversation state: list and set conversation variables, forget a conversation. */
@Injectable()
export class ConversationHandler {
  constructor(private readonly variables: ConversationVariableRepository) {}

  @OnRequest('wf.conversation.variables.list.v1')
  async list(req: RequestOf<'wf.conversation.variables.list.v1'>): Promise<ResponseOf<'wf.conversation.variables.list.v1'>> {
    let rows = await this.variables.list(req.workspaceId, req.appId, req.conversationId);
    if (req.variableName) rows = rows.filter((r) => r.name === req.variableName);
    if (req.lastId) {
      const at = rows.findIndex((r) => r.id === req.lastId);
      rows = at < 0 ? [] : rows.slice(at + 1);
    }
    const page = rows.slice(0, req.limit).map(({ position: _position, ...record }) => record);
    return { data: page, hasMore: rows.length > req.limit };
  }

  /** Dify refuses a value of another type than the variable's with 400 and says which it expected. */
  @OnRequest('wf.conversation.variables.update.v1')
  async update(req: RequestOf<'wf.conversation.variables.update.v1'>): Promise<ResponseOf<'wf.conversation.variables.update.v1'>> {
    const current = await this.variables.find(req.workspaceId, req.appId, req.conversationId, req.variableId);
    if (!current) throw new DomainError('not_found', 'Conversation variable not found.');
    const type = current.value_type;
    const problem = isVariableValueType(type) ? checkValueType(type, req.value) : null;
    if (problem) throw new DomainError('invalid_param', `Type mismatch: variable '${current.name}' ${problem}.`);
    const updated = await this.variables.update(req.workspaceId, req.appId, req.conversationId, req.variableId, req.value);
    if (!updated) throw new DomainError('not_found', 'Conversation variable not found.');
    return updated;
  }

  @OnRequest('wf.conversation.delete.v1')
  async delete(req: RequestOf<'wf.conversation.delete.v1'>): Promise<ResponseOf<'wf.conversation.delete.v1'>> {
    return { deleted: await this.variables.deleteConversation(req.workspaceId, req.appId, req.conversationId) };
  }
}
