import { describe, expect, it } from 'vitest';
import { isConnectionLost } from './connect';

describe('isConnectionLost', () => {
  it('recognises a session the network, the server or a KILL ended', () => {
    const lost = [
      { code: 'PROTOCOL_CONNECTION_LOST', fatal: true, message: 'Connection lost' },
      { code: 'ECONNRESET', message: 'read ECONNRESET' },
      { code: 'ER_CONNECTION_KILLED', errno: 1927, message: 'Connection was killed' },
      { errno: 1053, message: 'Server shutdown in progress' },
      { errno: 2013, message: 'Lost connection to server during query' },
      { fatal: true, message: "Can't add new command when connection is in closed state" },
    ];
    for (const error of lost) expect(isConnectionLost(error), error.message).toBe(true);
  });

  it('leaves statement errors and other fatal driver errors alone', () => {
    const notLost = [
      { code: 'ER_NO_SUCH_TABLE', errno: 1146, message: "Table 'a.b' doesn't exist" },
      { code: 'ER_QUERY_INTERRUPTED', errno: 1317, message: 'Query execution was interrupted' },
      { fatal: true, message: 'Unexpected packet' },
      new Error('boom'),
      'text',
      null,
    ];
    for (const error of notLost) expect(isConnectionLost(error)).toBe(false);
  });
});
