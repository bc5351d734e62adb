// Jest reads `testTimeout` only from the top-level config, not per project: integration and end-to-end
// tests start processes and wait for real infrastructure, so they get a longer limit here.
jest.setTimeout(120_000);
