import {
  encodeExportResponseJson,
  encodeExportResponseProtobuf,
  encodeStatusJson,
  encodeStatusProtobuf,
} from './export-response';
import { otlpProtoTypes } from './protobuf-root';

const types = otlpProtoTypes();

describe('export responses', () => {
  it('reports rejected spans as partial_success that an OTLP client decodes', () => {
    const body = encodeExportResponseProtobuf('traces', {
      rejectedSpans: 3,
      errorMessage: '3 spans with an all-zero span_id',
    });
    const decoded = types.ExportTraceServiceResponse.toObject(types.ExportTraceServiceResponse.decode(body), {
      longs: Number,
    });
    expect(decoded).toEqual({
      partialSuccess: { rejectedSpans: 3, errorMessage: '3 spans with an all-zero span_id' },
    });
  });

  it('sends an empty response when everything was accepted', () => {
    expect(encodeExportResponseProtobuf('traces').length).toBe(0);
    expect(encodeExportResponseProtobuf('traces', { rejectedSpans: 0, errorMessage: '' }).length).toBe(0);
    expect(JSON.parse(encodeExportResponseJson('traces'))).toEqual({});
  });

  it('writes the JSON form with the int64 count as a string, as OTLP/JSON does', () => {
    const json = JSON.parse(
      encodeExportResponseJson('traces', { rejectedSpans: 2, errorMessage: 'bad ids' }),
    );
    expect(json).toEqual({ partialSuccess: { rejectedSpans: '2', errorMessage: 'bad ids' } });
    const viaProtobufjs = types.ExportTraceServiceResponse.fromObject(json);
    expect(
      types.ExportTraceServiceResponse.toObject(viaProtobufjs, { longs: Number }).partialSuccess
        .rejectedSpans,
    ).toBe(2);
  });

  it('uses each signal’s own count for logs and metrics', () => {
    const logs = encodeExportResponseProtobuf('logs', { rejectedLogRecords: 4 });
    expect(
      types.ExportLogsServiceResponse.toObject(types.ExportLogsServiceResponse.decode(logs), {
        longs: Number,
      }),
    ).toEqual({
      partialSuccess: { rejectedLogRecords: 4 },
    });
    expect(
      JSON.parse(encodeExportResponseJson('metrics', { rejectedDataPoints: 5, errorMessage: 'x' })),
    ).toEqual({
      partialSuccess: { rejectedDataPoints: '5', errorMessage: 'x' },
    });
  });

  it('encodes google.rpc.Status error bodies in protobuf and JSON', () => {
    const message = 'request contains no valid spans';
    const decoded = types.RpcStatus.toObject(types.RpcStatus.decode(encodeStatusProtobuf(3, message)));
    expect(decoded).toEqual({ code: 3, message });
    expect(JSON.parse(encodeStatusJson(3, message))).toEqual({ code: 3, message });
  });
});
