// Error replies shared across families, word for word as Redis clients expect them.
// A string starting with a code other than ERR carries that code (WRONGTYPE, NOAUTH, OOM...).

export const ERR_SYNTAX = "ERR syntax error";
export const ERR_WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value";
export const ERR_NOT_INTEGER = "ERR value is not an integer or out of range";
export const ERR_NOT_FLOAT = "ERR value is not a valid float";
export const ERR_OVERFLOW = "ERR increment or decrement would overflow";
export const ERR_NO_SUCH_KEY = "ERR no such key";
export const ERR_NOAUTH = "NOAUTH Authentication required.";
export const ERR_WRONGPASS = "WRONGPASS invalid username-password pair or user is disabled.";
export const ERR_READONLY_REPLICA = "READONLY You can't write against a read only replica.";
export const ERR_OOM = "OOM command not allowed when used memory > 'maxmemory'.";
export const ERR_LOADING = "LOADING Redis is loading the dataset in memory";
export const ERR_DB_RANGE = "ERR DB index is out of range";
/** Refused on the cross-worker atomic path (Client.isolated), where only the named keys are at hand. */
export const ERR_OTHER_DB_ISOLATED = (cmd: string): string =>
  `ERR ${cmd} cannot reach another database when the keys of the command live on different workers (put them under one {hash tag})`;
export const ERR_SELECT_CLUSTER = "ERR SELECT is not allowed in cluster mode";
export const ERR_MAX_CLIENTS = "ERR max number of clients reached";
export const ERR_INVALID_EXPIRE = (cmd: string): string => `ERR invalid expire time in '${cmd}' command`;
export const ERR_ARITY = (cmd: string): string => `ERR wrong number of arguments for '${cmd}' command`;
export const ERR_UNKNOWN_COMMAND = (name: string, argsPreview: string): string =>
  `ERR unknown command '${name}', with args beginning with: ${argsPreview}`;
export const ERR_UNKNOWN_SUBCOMMAND = (sub: string, container: string): string =>
  `ERR unknown subcommand '${sub}'. Try ${container.toUpperCase()} HELP.`;
export const ERR_PROTOCOL = (detail: string): string => `ERR Protocol error: ${detail}`;
