// Kept in step with package.json by the release script; read at start-up without touching the file system.
export const VERSION = '0.1.0';
