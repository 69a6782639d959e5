/**
 * A deep copy of a module tree, with chosen modules swapped for others on the way.
 *
 * nn has no copy constructor (layers take constructor arguments this code cannot know), so a
 * module is copied as PyTorch's `copy.deepcopy` does it: a fresh object of the same class, with
 * Module's own state freshly initialised and every own field copied, where a field that refers to
 * a module, a tensor or an array of them refers to the copy instead. Parameters, buffers (with
 * their persistence) and children are re-registered in their order, so state-dict keys and order
 * are unchanged. Sequential, ModuleList and ModuleDict are rebuilt through their own API, since
 * they keep their lists in private (#) fields.
 *
 * Own function-valued fields (a forward installed per instance, as prepareQat does) are not
 * copied: they close over the original. A QAT-prepared layer therefore copies as a plain layer
 * (its fake-quant children are copied but not called).
 *
 * Limitation: a user class that keeps its own JavaScript private (#) fields cannot be copied this
 * way (those fields are unreachable); its methods would throw a TypeError. Give such a class
 * ordinary fields to convert it.
 */
import {
  type AnyModule,
  Module,
  ModuleDict,
  ModuleList,
  Parameter,
  Sequential,
  type TensorModule,
} from '../../nn/index.js';
import { Tensor, joinName } from '../../tensor/index.js';

/**
 * Returns a replacement for `module` (named by its dotted path), or undefined to copy it. A
 * replacement computes what the module computed (same arguments, same kind of result: a layer of a
 * Sequential stays a tensor-to-tensor module).
 */
export type ModuleReplacer = (module: AnyModule, name: string) => AnyModule | undefined;

type ModuleCtor = abstract new (...args: never[]) => AnyModule;

/** A fresh object of `like`'s class on which only `base`'s constructor ran (installing its private fields). */
function construct(base: ModuleCtor, like: AnyModule): AnyModule {
  const made: unknown = Reflect.construct(base, [], like.constructor);
  if (!(made instanceof Module)) throw new TypeError(`cloneModule: could not construct a ${like.constructor.name}`);
  return made;
}

/** An object's own enumerable fields (what a copy copies), values unknown until checked. */
const ownFields = (o: object): [string, unknown][] => Object.entries(o);

/** Copies `model`; `replace` may return a substitute for any module (then its subtree is not copied). */
export function cloneModule<M extends AnyModule>(model: M, replace: ModuleReplacer = () => undefined): M {
  const tensorCopies = new Map<Tensor, Tensor>();
  const moduleCopies = new Map<AnyModule, AnyModule>();

  const tensor = (t: Tensor): Tensor => {
    const done = tensorCopies.get(t);
    if (done !== undefined) return done;
    const data = new Tensor(t.data.slice(), t.shape);
    const copy = t instanceof Parameter ? new Parameter(data, t.requiresGrad) : data;
    tensorCopies.set(t, copy);
    return copy;
  };

  const value = (v: unknown, name: string): unknown => {
    if (v instanceof Module) return module(v, name);
    if (v instanceof Tensor) return tensor(v);
    if (Array.isArray(v) && v.some((e) => e instanceof Module || e instanceof Tensor))
      return v.map((e, i) => value(e, `${name}.${i}`));
    return v;
  };

  const module = (m: AnyModule, name: string): AnyModule => {
    const done = moduleCopies.get(m);
    if (done !== undefined) return done;
    const swapped = replace(m, name);
    if (swapped !== undefined) {
      moduleCopies.set(m, swapped);
      return swapped;
    }
    const base: ModuleCtor =
      m instanceof Sequential
        ? Sequential
        : m instanceof ModuleList
          ? ModuleList
          : m instanceof ModuleDict
            ? ModuleDict
            : Module;
    const c = construct(base, m);
    moduleCopies.set(m, c);
    const local = m.stateTensors();
    for (const [n, p] of m.namedParameters('', false)) c.registerParameter(n, tensor(p));
    for (const [n, b] of m.namedBuffers('', false)) c.registerBuffer(n, tensor(b), local.has(n));
    const child = (n: string, sub: AnyModule): AnyModule => module(sub, joinName(name, n));
    // A layer's copy has the layer's class and a replacement keeps its forward (ModuleReplacer's
    // contract), so a Sequential's layer stays a TensorModule; the one downcast in this file.
    if (c instanceof Sequential) for (const [n, sub] of m.namedChildren()) c.append(child(n, sub) as TensorModule);
    else if (c instanceof ModuleList) for (const [n, sub] of m.namedChildren()) c.append(child(n, sub));
    else if (c instanceof ModuleDict) for (const [n, sub] of m.namedChildren()) c.set(n, child(n, sub));
    else for (const [n, sub] of m.namedChildren()) c.registerModule(n, child(n, sub));
    for (const [key, v] of ownFields(m)) {
      // A per-instance function (e.g. the forward prepareQat installs) closes over the original
      // module; copying it would make the copy run the original. The copy uses its class's method.
      if (typeof v === 'function') continue;
      Object.assign(c, { [key]: value(v, joinName(name, key)) });
    }
    return c;
  };

  return module(model, '') as M;
}
