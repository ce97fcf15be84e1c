import type { PushOs } from './lifecycle';

/** The web app gets no pushes (the in-app list and the live subscription serve it). */
export function createPushOs(): PushOs {
  return {
    platform: 'web',
    supported: false,
    getPermission: async () => 'denied',
    requestPermission: async () => 'denied',
    getToken: () => Promise.reject(new Error('push is not available on the web')),
  };
}

export function listenForTaps(): () => void {
  return () => undefined;
}
