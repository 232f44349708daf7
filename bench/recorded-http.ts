import nock from 'nock';
import { Interceptor } from '../test/support/intercept';

/**
 * Runs `work` with every outbound HTTP request intercepted and recorded by nock (the test
 * suite's Interceptor), then takes nock out of the process again: left active, it would sit in
 * front of the local tenant's own routing of Action traffic in the sections that follow.
 */
export async function withRecordedHttp<T>(work: (http: Interceptor) => Promise<T>): Promise<T> {
  if (!nock.isActive()) nock.activate();
  const http = new Interceptor();
  try {
    return await work(http);
  } finally {
    http.done();
    nock.restore();
  }
}

/**
 * nock activates itself when it is first imported (this module imports it). Before the sections
 * that run the local tenant, it must be out of the process: left active, it takes the Actions'
 * requests to the tenant before the tenant's own routing sees them, and they go to the network.
 */
export function takeNockOut(): void {
  if (nock.isActive()) nock.restore();
}
