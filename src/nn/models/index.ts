export * from './resnet.js';
export * from './mobilenet.js';
export { initTorchvisionStyle } from './common.js';
export * from './vit.js';
