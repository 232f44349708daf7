import { MalformedAnswerError } from './find-user';
import { failureReason, ManagementTokenError } from './management';

describe('failureReason (the scripts and the deploy)', () => {
  it("gives a token failure's own reason", () => {
    expect(failureReason(new ManagementTokenError('token_http_401'))).toBe('token_http_401');
  });

  it('calls an answer that is not what Auth0 sends malformed_response', () => {
    expect(failureReason(new SyntaxError('Unexpected token < in JSON'))).toBe('malformed_response');
    expect(failureReason(new MalformedAnswerError('user search'))).toBe('malformed_response');
  });

  it("leaves everything else to the shared classifier, without the Actions' step prefix", () => {
    const refused = Object.assign(new Error('Forbidden'), {
      statusCode: 403,
      body: { errorCode: 'insufficient_scope', message: 'Insufficient scope, expected any of: read:users' },
    });
    expect(failureReason(refused)).toBe('insufficient_scope:read:users');
    expect(failureReason(Object.assign(new Error('Conflict'), { statusCode: 409 }))).toBe('http_409');
    expect(failureReason(new DOMException('The operation was aborted', 'AbortError'))).toBe('aborted');
    expect(failureReason(new DOMException('The operation timed out', 'TimeoutError'))).toBe('timeout');
    expect(failureReason(new TypeError('fetch failed'))).toBe('network');
  });
});
