import { emailLocale, templateIdFor } from './locale';

describe('emailLocale', () => {
  const request = { ip: '', method: 'GET', geoip: {}, language: 'fr-CA,fr;q=0.9,en;q=0.8' };
  const transaction = { locale: 'de', ui_locales: ['de'] };

  it('prefers user_metadata.locale, then the transaction, then the browser language, then English', () => {
    expect(emailLocale({ locale: 'pt-BR' }, transaction, request)).toBe('pt-BR');
    expect(emailLocale({}, transaction, request)).toBe('de');
    expect(emailLocale({}, undefined, request)).toBe('fr');
    expect(emailLocale(undefined, undefined, undefined)).toBe('en');
  });

  it('ignores values that are not language tags', () => {
    expect(emailLocale({ locale: 42 }, undefined, request)).toBe('fr');
    expect(emailLocale({ locale: '<script>' }, { locale: '', ui_locales: [] }, { ...request, language: '*' })).toBe('en');
  });
});

describe('templateIdFor', () => {
  const overrides = { welcome: { fr: 'd-welcome-fr', 'pt-br': 'd-welcome-ptbr' } };
  it('matches the locale, then its language, then the default', () => {
    expect(templateIdFor('welcome', 'pt-BR', 'd-welcome', overrides)).toBe('d-welcome-ptbr');
    expect(templateIdFor('welcome', 'fr-CA', 'd-welcome', overrides)).toBe('d-welcome-fr');
    expect(templateIdFor('welcome', 'de', 'd-welcome', overrides)).toBe('d-welcome');
    expect(templateIdFor('verify', 'fr', 'd-verify', overrides)).toBe('d-verify');
  });
});
