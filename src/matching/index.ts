export * from './number';
export * from './call';
export * from './services';
export * from './classify';
