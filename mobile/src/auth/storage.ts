import AsyncStorage from '@react-native-async-storage/async-storage';
import * as SecureStore from 'expo-secure-store';
import { secureStorage, type TokenStorage } from './storage-types';

/** iOS and Android: the session in the Keychain / Keystore through expo-secure-store. */
export function createTokenStorage(): TokenStorage {
  return secureStorage(SecureStore, SecureStore.AFTER_FIRST_UNLOCK_THIS_DEVICE_ONLY, AsyncStorage);
}
