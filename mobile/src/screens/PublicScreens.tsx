import { useNav } from '../nav';
import { AuthScreen } from './AuthScreen';
import { ForgotPasswordScreen, ResetPasswordScreen } from './PasswordScreens';

/** What a signed-out visitor sees: sign in / sign up, or the password screens that emails link to. */
export function PublicScreens() {
  const { route } = useNav();
  if (route.name === 'forgotPassword') return <ForgotPasswordScreen />;
  if (route.name === 'resetPassword') return <ResetPasswordScreen token={route.token} />;
  return <AuthScreen />;
}
