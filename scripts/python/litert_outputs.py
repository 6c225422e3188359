"""The reference runtime's outputs for TF Lite models: LiteRT's interpreter (ai-edge-litert) on given inputs.

Reads a JSON list of cases, {"model": path to a .tflite, "input": path to the raw input tensor}, where the
input file holds exactly the bytes of the model's input tensor in its own type (uint8 pixels, int8
pixel − 128, or little-endian float32), as the caller dumped them. Writes, per case, the first output as
LiteRT gives it: its type, quantisation (scale, zero point; 0 and 0 for a float output) and values
(integers as they are, floats with 7 significant digits).

For a quantised model it also writes `dequantizedOutput`: LiteRT's float output on the model's dequantised
twin, made here with LiteRT's own flatbuffer tools and NumPy — every quantised constant replaced by its real
values, scale · (q − zero_point) along its quantized_dimension, every tensor float32 — fed the real value
of the same input. The integer kernels round every activation to 8 bits; the twin shows the same weights
without that rounding, which is what an importer into float weights should compute.

Used by test/models/import/tflite/golden/regenerate.ts; run with the venv of scripts/python/setup-venv.sh:
  .venv/bin/python scripts/python/litert_outputs.py cases.json outputs.json
"""

import json
import sys
from importlib.metadata import version

import numpy as np
from ai_edge_litert.interpreter import Interpreter
from ai_edge_litert.tools import flatbuffer_utils
from ai_edge_litert import schema_py_generated as schema

STORAGE = {schema.TensorType.UINT8: "u1", schema.TensorType.INT8: "i1", schema.TensorType.INT16: "<i2", schema.TensorType.INT32: "<i4", schema.TensorType.INT64: "<i8"}


def invoke(model_content, data):
    """LiteRT's first output on `data` (already in the input's type), with its type and quantisation."""
    # One thread: the float kernels then sum in one fixed order, so a rerun gives the same bits.
    interpreter = Interpreter(model_content=model_content, num_threads=1)
    interpreter.allocate_tensors()
    (input_detail,) = interpreter.get_input_details()
    if data.size != int(np.prod(input_detail["shape"])) or data.dtype != input_detail["dtype"]:
        raise ValueError(f"{data.size} {data.dtype} values for input {input_detail['shape'].tolist()} {input_detail['dtype']}")
    interpreter.set_tensor(input_detail["index"], data.reshape(input_detail["shape"]))
    interpreter.invoke()
    output_detail = interpreter.get_output_details()[0]
    values = interpreter.get_tensor(output_detail["index"]).reshape(-1)
    scale, zero_point = output_detail["quantization"]
    out_dtype = np.dtype(output_detail["dtype"])
    listed = [float(f"{v:.7g}") for v in values.astype(np.float32)] if out_dtype.kind == "f" else [int(v) for v in values]
    return {"type": out_dtype.name, "scale": float(np.float32(scale)), "zeroPoint": int(zero_point), "values": listed}


def real_values(q, quantization, shape):
    """scale · (q − zero_point), per tensor or per channel along quantized_dimension."""
    scale = np.asarray(quantization.scale, dtype=np.float64)
    zero_point = np.asarray(quantization.zeroPoint if quantization.zeroPoint is not None else [0], dtype=np.float64)
    if scale.size > 1:
        broadcast = [1] * len(shape)
        broadcast[quantization.quantizedDimension] = scale.size
        scale = scale.reshape(broadcast)
        if zero_point.size > 1:
            zero_point = zero_point.reshape(broadcast)
    return (scale * (q.reshape(shape).astype(np.float64) - zero_point)).astype(np.float32)


def dequantized_twin(model_content):
    """The model with every quantised tensor made float32 (constants dequantised), and the input's quantisation."""
    model = flatbuffer_utils.read_model_from_bytearray(bytearray(model_content))
    subgraph = model.subgraphs[0]
    codes = {flatbuffer_utils.get_builtin_code_from_operator_code(c) for c in model.operatorCodes}
    if codes & {schema.BuiltinOperator.QUANTIZE, schema.BuiltinOperator.DEQUANTIZE}:
        raise ValueError("a dequantised twin of a model with QUANTIZE or DEQUANTIZE operators is not made here")
    input_quantization = subgraph.tensors[subgraph.inputs[0]].quantization
    for tensor in subgraph.tensors:
        quantization = tensor.quantization
        if quantization is None or quantization.scale is None or len(quantization.scale) == 0:
            continue
        buffer = model.buffers[tensor.buffer]
        if buffer.data is not None and len(buffer.data) > 0:
            q = np.frombuffer(bytes(buffer.data), dtype=STORAGE[tensor.type])
            buffer.data = np.frombuffer(real_values(q, quantization, tensor.shape).astype("<f4").tobytes(), dtype=np.uint8)
        tensor.type = schema.TensorType.FLOAT32
        tensor.quantization = None
    return bytes(flatbuffer_utils.convert_object_to_bytearray(model)), input_quantization


def run_case(case):
    with open(case["model"], "rb") as f:
        model_content = f.read()
    input_type = Interpreter(model_content=model_content).get_input_details()[0]["dtype"]
    data = np.fromfile(case["input"], dtype=input_type)
    result = {"inputType": np.dtype(input_type).name, "output": invoke(model_content, data)}
    if np.dtype(input_type).kind != "f":
        twin, input_quantization = dequantized_twin(model_content)
        result["dequantizedOutput"] = invoke(twin, real_values(data, input_quantization, data.shape))
    return result


def main(cases_path, outputs_path):
    with open(cases_path) as f:
        cases = json.load(f)
    result = {"runtime": f"ai-edge-litert {version('ai-edge-litert')}", "outputs": [run_case(c) for c in cases]}
    with open(outputs_path, "w") as f:
        json.dump(result, f)


if __name__ == "__main__":
    main(*sys.argv[1:])
