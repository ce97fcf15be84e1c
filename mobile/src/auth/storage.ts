import AsyncStorage from '@react-native-async-storage/async-storage';
import * as SecureStore from 'expo-secure-store';
import { DEVICE_TOKENS_KEY, secureStorage, type TokenStorage } from './storage-types';

/** iOS and Android: the session in the Keychain / Keystore through expo-secure-store. */
export function createTokenStorage(): TokenStorage {
  return secureStorage(SecureStore, SecureStore.AFTER_FIRST_UNLOCK_THIS_DEVICE_ONLY, AsyncStorage);
}

/** iOS and Android: the device tokens in the Keychain / Keystore too; they outlive sign-outs. */
export function createDeviceTokenStorage(): TokenStorage {
  return secureStorage(SecureStore, SecureStore.AFTER_FIRST_UNLOCK_THIS_DEVICE_ONLY, undefined, DEVICE_TOKENS_KEY);
}
