/**
 * Gradient kernels that TF.js 4.22's WASM backend lacks (Conv2DBackpropFilter and the depthwise
 * backprops), run on the pure-JS cpu backend's implementations. TF.js's fused convolution computes the
 * filter gradient eagerly whenever it is differentiated, so a Grad-CAM head that contains a convolution
 * (a layer chosen before the last conv, or a TFLite/graph model) needs them even though only
 * ∂score/∂activations is used. They are correct, not fast: they run only for convolutions in the head.
 */
import * as tf from '@tensorflow/tfjs-core';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu/dist/backend_cpu';
import { conv2DBackpropFilterConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Conv2DBackpropFilter';
import { depthwiseConv2dNativeBackpropFilterConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/DepthwiseConv2dNativeBackpropFilter';
import { depthwiseConv2dNativeBackpropInputConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/DepthwiseConv2dNativeBackpropInput';

const CPU_KERNELS = [conv2DBackpropFilterConfig, depthwiseConv2dNativeBackpropFilterConfig, depthwiseConv2dNativeBackpropInputConfig];

interface WasmLikeBackend extends tf.KernelBackend {
  readSync(dataId: tf.DataId): tf.backend_util.BackendValues;
  makeOutput(shape: number[], dtype: tf.DataType, memoryOffset?: number, values?: tf.backend_util.BackendValues): tf.TensorInfo;
}

let cpu: MathBackendCPU | undefined;

function delegateToCpu(config: tf.KernelConfig): tf.KernelConfig {
  return {
    kernelName: config.kernelName,
    backendName: 'wasm',
    kernelFunc: ({ inputs, attrs, backend }) => {
      const wasm = backend as WasmLikeBackend;
      cpu ??= new MathBackendCPU();
      const cpuInputs: tf.NamedTensorInfoMap = {};
      for (const [name, input] of Object.entries(inputs)) {
        if (!input) continue;
        cpuInputs[name] = { ...input, dataId: cpu.write(wasm.readSync(input.dataId), input.shape, input.dtype) };
      }
      try {
        const out = config.kernelFunc({ inputs: cpuInputs, attrs, backend: cpu }) as tf.TensorInfo;
        const values = cpu.readSync(out.dataId);
        cpu.disposeData(out.dataId, true);
        return wasm.makeOutput(out.shape, out.dtype, undefined, values);
      } finally {
        for (const input of Object.values(cpuInputs)) if (input) cpu.disposeData(input.dataId, true);
      }
    },
  };
}

/** Registers the missing gradient kernels for the `wasm` backend (once; safe to call again). */
export function registerWasmGradientKernels(): void {
  for (const config of CPU_KERNELS) {
    if (!tf.getKernel(config.kernelName, 'wasm')) tf.registerKernel(delegateToCpu(config));
  }
}
