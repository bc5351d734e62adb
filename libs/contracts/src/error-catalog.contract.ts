import { DomainError, type ErrorCode } from './errors.contract';

// The errors of the aggregates more than one service works on, one catalog per feature: a service throws
// `RunErrors.notFound()` rather than spelling out a code and a message. The messages are what callers see
// (many are Dify's word for word, and clients and tests match on them), so each is written here once and
// changed only on purpose. Errors that one service alone raises live in that service's `<feature>.exception.ts`.

/** The codes Dify answers when a Service API route does not fit the app's mode. */
export type AppModeErrorCode = Extract<ErrorCode, 'not_chat_app' | 'not_completion_app' | 'not_workflow_app'>;

/** Apps, their modes and their DSL import. */
export const AppErrors = {
  agentChatBlockingUnsupported: () => new DomainError('invalid_param', 'Agent Chat App does not support blocking mode'),
  apiDisabled: () => new DomainError('forbidden', 'The app API is disabled.'),
  importFromUrlUnsupported: () => new DomainError('invalid_param', 'Importing from a URL is not supported; send the YAML as yaml_content.'),
  /** The route is for another app mode; `code` names the mode the route expects. */
  modeMismatch: (code: AppModeErrorCode) => new DomainError(code, 'Please check if your app mode matches the right API route.'),
  notFound: () => new DomainError('not_found', 'App not found.'),
  yamlContentRequired: () => new DomainError('invalid_param', 'yaml_content is required when mode is yaml-content.'),
} as const;

/** API keys, console access tokens, logins and roles. */
export const AuthErrors = {
  accessTokenInvalid: () => new DomainError('unauthorized', 'Access token is invalid or expired.'),
  apiKeyInvalid: () => new DomainError('unauthorized', 'Access token is invalid'),
  apiKeyNotFound: () => new DomainError('not_found', 'API key not found.'),
  bearerMissing: () => new DomainError('unauthorized', "Authorization header must be provided and start with 'Bearer'"),
  loginInvalid: () => new DomainError('unauthorized', 'Invalid email or password.'),
  refreshTokenInvalid: () => new DomainError('unauthorized', 'The refresh token is invalid or expired.'),
  roleTooLow: (needed: string) => new DomainError('forbidden', `This action needs the ${needed} role or higher in this workspace.`),
} as const;

/** Conversations of chat apps and their variables. */
export const ConversationErrors = {
  ended: () => new DomainError('conversation_completed', 'The conversation has ended. Please start a new conversation.'),
  lastNotFound: () => new DomainError('not_found', 'Last Conversation Not Exists.'),
  notFound: () => new DomainError('not_found', 'Conversation Not Exists.'),
  variableNotFound: () => new DomainError('not_found', 'Conversation variable not found.'),
  /** `problem` is checkValueType's account of the value, e.g. "must be a string". */
  variableTypeMismatch: (name: string, problem: string) =>
    new DomainError('invalid_param', `Type mismatch: variable '${name}' ${problem}.`),
} as const;

/** Knowledge datasets and their metadata fields. */
export const DatasetErrors = {
  /** Dify's word: a user field may not take the name of a built-in one (document_name, uploader, …). */
  metadataNameBuiltIn: () => new DomainError('invalid_param', 'Metadata name already exists in Built-in fields.'),
  metadataNameTaken: (name: string) => new DomainError('invalid_param', `Metadata name "${name}" already exists in this dataset.`),
  metadataNotFound: () => new DomainError('not_found', 'Metadata not found.'),
  metadataNotInDataset: (id: string) => new DomainError('invalid_param', `Metadata "${id}" does not belong to this dataset.`),
  nameTaken: () => new DomainError('dataset_name_duplicate', 'The dataset name already exists. Please modify your dataset name.'),
  notFound: () => new DomainError('not_found', 'Dataset not found.'),
} as const;

/** Documents of a dataset: their settings, state and indexing. */
export const DocumentErrors = {
  archived: () => new DomainError('archived_document_immutable', 'The archived document is not editable.'),
  disabled: () => new DomainError('not_found', 'Document is disabled.'),
  docFormMismatch: (datasetDocForm: string) =>
    new DomainError('invalid_param', `doc_form is different from the dataset doc_form (${datasetDocForm}).`),
  hierarchicalNeedsRule: () =>
    new DomainError(
      'invalid_param',
      'doc_form hierarchical_model needs process_rule mode hierarchical, with parent_mode and subchunk_segmentation.',
    ),
  indexingTechniqueRequired: () => new DomainError('invalid_param', 'indexing_technique is required.'),
  invalidAction: (action: string) => new DomainError('invalid_param', `Invalid action ${action}.`),
  nameRequired: () => new DomainError('invalid_param', 'name is required.'),
  noneFound: () => new DomainError('not_found', 'Documents not found.'),
  notCompleted: () => new DomainError('not_found', 'Document is not completed.'),
  notFound: () => new DomainError('not_found', 'Document not found.'),
  notQueued: () => new DomainError('unavailable', 'The document was stored but could not be queued for indexing; try again.'),
  qaModelUnsupported: () =>
    new DomainError('invalid_param', 'doc_form qa_model is not supported by Weft; use text_model or hierarchical_model.'),
  textRequired: () => new DomainError('invalid_param', 'text is required.'),
} as const;

/** Uploaded files and the multipart forms that carry them. */
export const FileErrors = {
  extensionBlocked: (extension: string) =>
    new DomainError('invalid_param', `File extension '.${extension}' is not allowed for security reasons`),
  filenameInvalid: () => new DomainError('invalid_param', 'Filename contains invalid characters'),
  filenameMissing: () => new DomainError('filename_not_exists_error', 'The specified filename does not exist.'),
  /** Multer refused the form; `field` names the form field when it knows it. */
  formRefused: (reason: string, field?: string) =>
    new DomainError('invalid_param', `The multipart form was refused: ${reason}${field ? ` (field "${field}")` : ''}.`),
  formUnreadable: (reason: string) => new DomainError('invalid_param', `The multipart form could not be read: ${reason}.`),
  noneUploaded: () => new DomainError('no_file_uploaded', 'Please upload your file.'),
  /** Dify answers a file over the size limit with an empty message. */
  tooLarge: () => new DomainError('file_too_large', ''),
  tooMany: () => new DomainError('too_many_files', 'Only one file is allowed.'),
  toolFileNotFound: (toolFileId: string) => new DomainError('not_found', `Tool file "${toolFileId}" not found.`),
  toolFileNotStored: (toolFileId: string) =>
    new DomainError('invalid_param', `Tool file "${toolFileId}" has no bytes in the file storage; write them before recording it.`),
  toolFileTooLarge: (size: number, limit: number) =>
    new DomainError('file_too_large', `The tool file is ${size} bytes, over the limit of ${limit} bytes (TOOL_FILE_SIZE_LIMIT).`),
  typeNotAllowed: () => new DomainError('unsupported_file_type', 'File type not allowed.'),
  uploadNotFound: (uploadFileId: string) => new DomainError('not_found', `Upload file "${uploadFileId}" not found.`),
} as const;

/** Messages of chat conversations and what is asked about them. */
export const MessageErrors = {
  /** Dify refuses to take back feedback that was never given (a ValueError its API answers as invalid_param). */
  feedbackNotGiven: () => new DomainError('invalid_param', 'rating cannot be None when feedback not exists'),
  firstNotFound: () => new DomainError('not_found', 'First Message Not Exists.'),
  notFound: () => new DomainError('not_found', 'Message Not Exists.'),
  suggestedQuestionsDisabled: () => new DomainError('bad_request', 'Suggested Questions Is Disabled.'),
} as const;

/** Workflow runs, and the refusals of a request to start one. */
export const RunErrors = {
  /** A chat turn belongs to an end user's conversation; a start without one is a caller's mistake. */
  chatWithoutEndUser: () => new DomainError('invalid_param', 'A chat turn needs the end user it belongs to.'),
  draftNotRunnable: () => new DomainError('bad_request', 'Draft workflow cannot be run through the API.'),
  notFound: () => new DomainError('not_found', 'Workflow run not found.'),
  /** The run names a workflow id the app does not have (Dify answers 400 here, not 404). */
  workflowIdNotFound: () => new DomainError('bad_request', 'Workflow not found.'),
  workflowIdNotUuid: () => new DomainError('bad_request', 'Invalid workflow_id format: must be a UUID.'),
  workflowNotPublished: () => new DomainError('bad_request', 'Workflow not published. Please publish the workflow first.'),
} as const;

/** Segments of a document and the child chunks of parent-child documents. */
export const SegmentErrors = {
  childChunkNotFound: () => new DomainError('not_found', 'Child chunk not found.'),
  childChunksNeedHierarchical: () =>
    new DomainError('invalid_param', 'Child chunks exist only in parent-child (hierarchical_model) documents.'),
  notFound: () => new DomainError('not_found', 'Segment not found.'),
} as const;

/** An app's workflow: its draft, published versions and stored documents. */
export const WorkflowErrors = {
  draftToPublishMissing: () => new DomainError('not_found', 'The app has no draft workflow to publish.'),
  modeHasNoWorkflow: () => new DomainError('invalid_param', 'Only workflow and advanced-chat apps have a workflow.'),
  modeHasNothingToPublish: () => new DomainError('bad_request', 'Only workflow and advanced-chat apps have a workflow to publish.'),
  notFound: () => new DomainError('not_found', 'Workflow not found.'),
  /** A stored secret of the app does not open for it: copied from another app or workspace, altered, or under a removed key. */
  secretsUnreadable: (appId: string, problem: string) =>
    new DomainError(
      'app_unavailable',
      `A secret of app "${appId}" cannot be opened (${problem}): enter its secret environment values and node API keys again.`,
    ),
  storedDraftInvalid: (appId: string) => new DomainError('internal_error', `The stored draft of app "${appId}" is not valid DSL`),
  storedModelConfigInvalid: (appId: string) =>
    new DomainError('internal_error', `The stored model config of app "${appId}" is not valid DSL`),
  storedVersionInvalid: (workflowId: string) => new DomainError('internal_error', `Stored workflow "${workflowId}" is no longer valid`),
} as const;
