import type { MT19937 } from '../../tensor/index.js';
import { constant_, kaimingNormal_, normal_ } from '../init.js';
import { Conv2d } from '../layers/conv.js';
import { Linear } from '../layers/linear.js';
import { BatchNorm2d } from '../layers/norm.js';
import type { AnyModule } from '../module.js';

/**
 * torchvision's model initialisation: convolutions kaiming-normal (fanOut, relu) with zero bias,
 * batch norms weight 1 / bias 0, linears N(0, `linearStd`) with zero bias (or left at PyTorch's
 * default when `linearStd` is null, as torchvision's ResNet does).
 */
export function initTorchvisionStyle(model: AnyModule, linearStd: number | null, generator?: MT19937): void {
  for (const m of model.modules()) {
    if (m instanceof Conv2d) {
      kaimingNormal_(m.weight, { mode: 'fanOut', nonlinearity: 'relu', generator });
      if (m.bias !== null) constant_(m.bias, 0);
    } else if (m instanceof BatchNorm2d) {
      if (m.weight !== null) constant_(m.weight, 1);
      if (m.bias !== null) constant_(m.bias, 0);
    } else if (m instanceof Linear && linearStd !== null) {
      normal_(m.weight, 0, linearStd, generator);
      if (m.bias !== null) constant_(m.bias, 0);
    }
  }
}
