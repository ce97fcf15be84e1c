import { describe, expect, it } from 'vitest';
import { pathOf, routeFromUrl, stackFor, type Route } from '../../src/nav/routes';

const id = '5f0c6a43-1c1e-4c1b-9d0a-2b6f0c0f4a11';
const every: Route[] = [
  { name: 'explore' },
  { name: 'plot', plotId: id },
  { name: 'rentals' },
  { name: 'rental', rentalId: id },
  { name: 'plan', rentalId: id },
  { name: 'camera', cameraId: id },
  { name: 'notifications' },
  { name: 'profile' },
  { name: 'deleteAccount' },
  { name: 'forgotPassword' },
  { name: 'resetPassword', token: 'abcdefghijklmnop_QRSTUV-123' },
  { name: 'completeSignUp', token: 'abcdefghijklmnop_QRSTUV-456' },
  {
    name: 'socialCallback',
    callback: {
      state: 'st4te-value_1',
      code: 'c0de.value/+=',
      iss: 'https://appleid.apple.com',
      deviceId: 'dev-1',
      error: null,
    },
  },
  {
    name: 'socialCallback',
    callback: { state: 'st4te-value_2', code: null, iss: null, deviceId: null, error: 'access_denied' },
  },
  { name: 'linkAccount', code: 'abcdefghijklmnop_QRSTUV-789' },
];

describe('routes', () => {
  it('gives every screen a path that leads back to it, as a path, a vegshare:// link and a universal link', () => {
    for (const route of every) {
      const path = pathOf(route);
      expect(routeFromUrl(path)).toEqual(route);
      expect(routeFromUrl(`vegshare:/${path}`)).toEqual(route);
      expect(routeFromUrl(`vegshare://${path.slice(1)}`)).toEqual(route);
      expect(routeFromUrl(`https://vegshare.app${path}`)).toEqual(route);
    }
  });

  it('reads a social provider’s redirect (the app’s redirect URI) and the social confirmation mail’s link', () => {
    expect(routeFromUrl('vegshare://auth/callback?code=abc&state=xyz&device_id=dev-9')).toEqual({
      name: 'socialCallback',
      callback: { state: 'xyz', code: 'abc', iss: null, deviceId: 'dev-9', error: null },
    });
    // Without a state it is nobody's sign-in.
    expect(routeFromUrl('/auth/callback?code=abc')).toEqual({ name: 'explore' });
    expect(routeFromUrl('/link-account?code=short')).toEqual({ name: 'explore' });
  });

  it('refuses unknown paths, foreign hosts and malformed ids', () => {
    expect(routeFromUrl('/admin')).toBeNull();
    expect(routeFromUrl('https://evil.example/rentals/1')).toBeNull();
    expect(routeFromUrl('/rentals/<script>')).toBeNull();
    expect(routeFromUrl('javascript:alert(1)')).toBeNull();
    expect(routeFromUrl('/reset-password?token=short')).toEqual({ name: 'forgotPassword' });
    expect(routeFromUrl('/verify-email?token=short')).toEqual({ name: 'explore' });
  });

  it('opens the sign-up email’s link (auth’s APP_URL/verify-email) on the screen that completes the account', () => {
    expect(routeFromUrl('http://localhost:8081/verify-email?token=abcdefghijklmnop_QRSTUV-456')).toBeNull(); // a foreign origin
    expect(routeFromUrl('https://vegshare.app/verify-email?token=abcdefghijklmnop_QRSTUV-456')).toEqual({
      name: 'completeSignUp',
      token: 'abcdefghijklmnop_QRSTUV-456',
    });
    expect(stackFor({ name: 'completeSignUp', token: 'abcdefghijklmnop_QRSTUV-456' }).map((r) => r.name)).toEqual([
      'profile',
      'completeSignUp',
    ]);
  });

  it('accepts the links notifications carry and trailing slashes', () => {
    expect(routeFromUrl(`/rentals/${id}/`)).toEqual({ name: 'rental', rentalId: id });
    expect(routeFromUrl('/')).toEqual({ name: 'explore' });
    expect(routeFromUrl(`/deliveries/${id}`)).toEqual({ name: 'rentals' });
    expect(routeFromUrl(`/plots/${id}`)).toEqual({ name: 'plot', plotId: id });
  });

  it('opens a deep link above its tab, so Back has somewhere to go', () => {
    expect(stackFor({ name: 'plan', rentalId: id }).map((r) => r.name)).toEqual(['rentals', 'rental', 'plan']);
    expect(stackFor({ name: 'camera', cameraId: id }).map((r) => r.name)).toEqual(['rentals', 'camera']);
    expect(stackFor({ name: 'notifications' }).map((r) => r.name)).toEqual(['notifications']);
  });
});
