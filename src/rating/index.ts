export * from './types';
export * from './money';
export * from './time';
export * from './tariff';
export * from './engine';
export * from './explain';
