import { useNav } from '../nav';
import { AuthScreen } from './AuthScreen';
import { ForgotPasswordScreen, ResetPasswordScreen } from './PasswordScreens';
import { CompleteSignUpScreen } from './SignUpScreens';

/** What a signed-out visitor sees: sign in / sign up, or the password and sign-up screens that emails link to. */
export function PublicScreens() {
  const { route } = useNav();
  if (route.name === 'forgotPassword') return <ForgotPasswordScreen />;
  if (route.name === 'resetPassword') return <ResetPasswordScreen token={route.token} />;
  if (route.name === 'completeSignUp') return <CompleteSignUpScreen token={route.token} />;
  return <AuthScreen />;
}
