/** Where the rag service reads uploaded documents (the gateway's file storage). */
export const DOCUMENT_FILE_STORAGE = Symbol('DOCUMENT_FILE_STORAGE');
