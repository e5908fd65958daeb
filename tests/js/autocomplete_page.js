// The autocompleters of autocomplete.html: Clinical-Tables mode for ICD-10-CM and HCPCS, FHIR mode for the
// ICD-10-CM implicit value set (the widget adds filter and count to the $expand URL).
new Def.Autocompleter.Search('icd10cm', '/api/icd10cm/v3/search', {
  tableFormat: true, valueCols: [0], colHeaders: ['Code', 'Name'],
});
new Def.Autocompleter.Search('hcpcs', '/api/hcpcs/v3/search', {
  tableFormat: true, valueCols: [0], colHeaders: ['Code', 'Name'],
});
new Def.Autocompleter.Search('fhir', '/fhir/ValueSet/icd10cm/$expand', { fhir: {} });
