// Swedish words for the emoji picker (emoji-picker-element ships English, Dutch and others, not Swedish);
// the same keys as its i18n modules in static/vendor/emoji-picker-element-1.29.1/i18n/.
export default {
  categoriesLabel: 'Kategorier',
  emojiUnsupportedMessage: 'Din webbläsare kan inte visa emoji i färg.',
  favoritesLabel: 'Favoriter',
  loadingMessage: 'Läser in…',
  networkErrorMessage: 'Det gick inte att läsa in emoji.',
  regionLabel: 'Emojiväljare',
  searchDescription: 'När det finns sökresultat väljer du med uppåt- eller nedåtpil och infogar med Enter.',
  searchLabel: 'Sök',
  searchResultsLabel: 'Sökresultat',
  skinToneDescription: 'När listan är utfälld väljer du med uppåt- eller nedåtpil och bekräftar med Enter.',
  skinToneLabel: 'Välj en hudton (nu {skinTone})',
  skinTonesLabel: 'Hudtoner',
  skinTones: [
    'Standard',
    'Ljus',
    'Medelljus',
    'Mellan',
    'Medelmörk',
    'Mörk'
  ],
  categories: {
    custom: 'Egna',
    'smileys-emotion': 'Smileys och känslor',
    'people-body': 'Människor och kropp',
    'animals-nature': 'Djur och natur',
    'food-drink': 'Mat och dryck',
    'travel-places': 'Resor och platser',
    activities: 'Aktiviteter',
    objects: 'Föremål',
    symbols: 'Symboler',
    flags: 'Flaggor'
  }
}
