import {
  datasetTools,
  metadataFilterMessages,
  parseMetadataFilterAnswer,
  reactRoutedDataset,
  reactRouterMessages,
  routedDataset,
  type DatasetProfile,
} from './knowledge-routing.util';

const fields = [
  { name: 'author', type: 'string' },
  { name: 'year', type: 'number' },
  { name: 'published', type: 'time' },
];
const answer = (items: unknown[]) => JSON.stringify({ metadata_map: items });
const item = (name: string, value: unknown, operator: string) => ({
  comparison_operator: operator,
  metadata_field_name: name,
  metadata_field_value: value,
});

describe('parseMetadataFilterAnswer', () => {
  it('maps the model operators to the conditions each field type supports', () => {
    expect(
      parseMetadataFilterAnswer(
        answer([
          item('author', 'Ada', '='),
          item('author', 'Bob', '!='),
          item('year', '1843', '<='),
          item('year', 1900, '>'),
          item('published', '2024-01-01', '>'),
          item('published', '2023-06-01', '<'),
        ]),
        fields,
      ),
    ).toEqual([
      { comparison_operator: 'is', name: 'author', value: 'Ada' },
      { comparison_operator: 'is not', name: 'author', value: 'Bob' },
      { comparison_operator: '≤', name: 'year', value: 1843 },
      { comparison_operator: '>', name: 'year', value: 1900 },
      { comparison_operator: 'after', name: 'published', value: '2024-01-01' },
      { comparison_operator: 'before', name: 'published', value: '2023-06-01' },
    ]);
  });

  it('drops unknown fields, unknown operators, orders on text, non-numbers on number fields and answers that are not JSON', () => {
    expect(
      parseMetadataFilterAnswer(
        answer([
          item('colour', 'red', '='),
          item('author', 'Ada', 'like'),
          item('author', 'Ada', '>'),
          item('year', 'soon', '='),
          item('year', null, '='),
        ]),
        fields,
      ),
    ).toEqual([]);
    expect(parseMetadataFilterAnswer('I cannot tell', fields)).toEqual([]);
    expect(parseMetadataFilterAnswer('{"metadata_map": "year"}', fields)).toEqual([]);
  });
});

describe('dataset routing', () => {
  const datasets: DatasetProfile[] = [
    { availableDocuments: 1, description: 'Looms\nand weaving', id: 'd1', metadataFields: [], name: 'Looms' },
    { availableDocuments: 1, description: '  ', id: 'd2', metadataFields: [], name: 'Recipes' },
  ];

  it('offers one argument-less function per dataset, described on one line or by its name', () => {
    expect(datasetTools(datasets)).toEqual([
      { description: 'Looms and weaving', name: 'd1', parameters: { properties: {}, required: [], type: 'object' } },
      {
        description: 'useful for when you want to answer queries about the Recipes',
        name: 'd2',
        parameters: { properties: {}, required: [], type: 'object' },
      },
    ]);
  });

  it('takes the dataset of the first tool call, and none for no call or an unknown name', () => {
    expect(
      routedDataset(
        [
          { arguments: '{}', id: 'a', name: 'd2' },
          { arguments: '{}', id: 'b', name: 'd1' },
        ],
        datasets,
      )?.id,
    ).toBe('d2');
    expect(routedDataset([], datasets)).toBeNull();
    expect(routedDataset([{ arguments: '{}', id: 'a', name: 'elsewhere' }], datasets)).toBeNull();
  });

  it('asks a model without tools in prose: every dataset by id with its description, the question last', () => {
    const [system, user] = reactRouterMessages('how long does dough rise', datasets);
    expect(system!.role).toBe('system');
    expect(system!.content).toContain('- d1: Looms and weaving');
    expect(system!.content).toContain('- d2: useful for when you want to answer queries about the Recipes');
    expect(system!.content).toContain('"action"');
    expect(user).toEqual({ content: 'how long does dough rise', role: 'user' });
  });

  it('takes the dataset a prose answer names as its action, in a fenced block or bare, and none for a final answer or an unknown id', () => {
    expect(reactRoutedDataset('Thought: recipes.\n```json\n{"action": "d2", "action_input": "dough"}\n```', datasets)?.id).toBe('d2');
    expect(reactRoutedDataset('{"action": " d1 ", "action_input": "warp"}', datasets)?.id).toBe('d1');
    expect(reactRoutedDataset('{"action": "Final Answer", "action_input": "no idea"}', datasets)).toBeNull();
    expect(reactRoutedDataset('{"action": "d9"}', datasets)).toBeNull();
    expect(reactRoutedDataset('I would use the recipes.', datasets)).toBeNull();
  });

  it('asks the metadata model with the question and the field names last, as JSON', () => {
    const messages = metadataFilterMessages('books by Ada', ['author']);
    expect(messages[0]!.role).toBe('system');
    expect(JSON.parse(messages.at(-1)!.content)).toEqual({ input_text: 'books by Ada', metadata_fields: ['author'] });
  });
});
