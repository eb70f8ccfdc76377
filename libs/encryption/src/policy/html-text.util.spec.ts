import { htmlToText } from './html-text.util';

describe('htmlToText', () => {
  it('joins text split by inline tags as the reader sees it', () => {
    expect(htmlToText('SSN 123-<b>45</b>-<span class="x">6789</span>')).toBe('SSN 123-45-6789');
  });

  it('keeps words apart where a block tag breaks the line', () => {
    expect(htmlToText('<p>DOB</p><p>01/02/1980</p>DOB<br/>01/02/1980')).toBe(
      'DOB 01/02/1980 DOB 01/02/1980',
    );
  });

  it('decodes numeric and common named entities', () => {
    expect(htmlToText('123&#45;45&#x2D;6789 &amp; Jane&nbsp;Doe &unknown;')).toBe(
      '123-45-6789 & Jane Doe &unknown;',
    );
  });

  it('keeps the alt and title text a reader can see and drops comments', () => {
    expect(htmlToText('<img alt="MRN 123456"><!-- SSN 123-45-6789 --><a title=\'J45\'>x</a>')).toBe(
      'MRN 123456 J45 x',
    );
  });
});
