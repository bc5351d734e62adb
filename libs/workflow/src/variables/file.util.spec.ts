import { filesInOutputs } from './file.util';

const file = (name: string) => ({ dify_model_identity: '__dify__file__', filename: name, transfer_method: 'tool_file', type: 'audio' });

describe('filesInOutputs (the files list of node_finished and workflow_finished)', () => {
  it("lists each output that is a File and the Files in list outputs, in output order, as Dify's fetch_files_from_node_outputs does", () => {
    expect(
      filesInOutputs({
        text: 'Audio generated successfully',
        audio: file('a.mp3'),
        files: [file('b.mp3'), 'not a file', { transfer_method: 'local_file' }, file('c.mp3')],
        json: [{ a: 1 }],
      }),
    ).toEqual([file('a.mp3'), file('b.mp3'), file('c.mp3')]);
  });

  it('lists nothing for outputs without Files, for nested ones, and for no outputs', () => {
    // A client's file mapping (no model identity) is not a File yet; deeper nesting is not looked into.
    expect(filesInOutputs({ mapping: { transfer_method: 'local_file', upload_file_id: 'x' }, nested: { inner: file('d.mp3') } })).toEqual(
      [],
    );
    expect(filesInOutputs({ lists: [[file('e.mp3')]] })).toEqual([]);
    expect(filesInOutputs(null)).toEqual([]);
    expect(filesInOutputs(undefined)).toEqual([]);
  });
});
