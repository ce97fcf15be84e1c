import { useNav } from '../nav';
import { AuthScreen } from './AuthScreen';
import { ForgotPasswordScreen, ResetPasswordScreen } from './PasswordScreens';
import { CompleteSignUpScreen } from './SignUpScreens';
import { LinkAccountScreen, SocialCallbackScreen } from './SocialScreens';

/**
 * What a signed-out visitor sees: sign in / sign up, the password and sign-up screens that emails link to, and where a
 * social provider sends the browser back.
 */
export function PublicScreens() {
  const { route } = useNav();
  if (route.name === 'forgotPassword') return <ForgotPasswordScreen />;
  if (route.name === 'resetPassword') return <ResetPasswordScreen token={route.token} />;
  if (route.name === 'completeSignUp') return <CompleteSignUpScreen token={route.token} />;
  if (route.name === 'socialCallback') return <SocialCallbackScreen callback={route.callback} />;
  if (route.name === 'linkAccount') return <LinkAccountScreen code={route.code} />;
  return <AuthScreen />;
}
