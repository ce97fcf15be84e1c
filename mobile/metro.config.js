// Metro for the app only: mobile/ is its own npm project inside the services' monorepo, so Metro must not crawl the
// repository root (its node_modules hold the services' dependencies) nor resolve packages from it.
const path = require('node:path');
const { getDefaultConfig } = require('expo/metro-config');

const config = getDefaultConfig(__dirname);
config.watchFolders = [__dirname];
config.resolver.nodeModulesPaths = [path.join(__dirname, 'node_modules')];
const own = (dir) => new RegExp(`^${path.join(__dirname, dir).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\/.*`);
config.resolver.blockList = [own('dist'), own('screenshots'), own('test'), own('bench'), own('.expo')];
module.exports = config;
