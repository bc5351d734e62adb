/** The FileStorage uploaded files are read from: the gateway's store. */
export const UPLOADED_FILE_STORAGE = Symbol('UPLOADED_FILE_STORAGE');
