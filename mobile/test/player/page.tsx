// A page with only the app's web video player, for test/player.browser.test.ts: ?src=<url>&live=1|0&kind=hls|mp4.
import { createRoot } from 'react-dom/client';
import { I18nextProvider } from 'react-i18next';
import { createI18n } from '../../src/i18n';
import { ThemeProvider } from '../../src/ui/theme-context';
import { VideoPlayer } from '../../src/video/VideoPlayer.web';

const params = new URLSearchParams(window.location.search);
createRoot(document.getElementById('root')!).render(
  <I18nextProvider i18n={createI18n('en')}>
    <ThemeProvider>
      <VideoPlayer
        url={params.get('src') ?? ''}
        live={params.get('live') === '1'}
        kind={params.get('kind') === 'mp4' ? 'mp4' : 'hls'}
        testID="video"
      />
    </ThemeProvider>
  </I18nextProvider>,
);
