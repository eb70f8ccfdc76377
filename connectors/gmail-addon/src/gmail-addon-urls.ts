/** The HTTP endpoints Google calls, under `<public URL>/addins/gmail/`. */
export interface GmailAddonUrls {
  homepage: string;
  compose: string;
  sendSecurely: string;
  logo: string;
}

export function gmailAddonUrls(publicUrl: string): GmailAddonUrls {
  const root = `${publicUrl.replace(/\/+$/, '')}/addins/gmail`;
  return {
    homepage: `${root}/homepage`,
    compose: `${root}/compose`,
    sendSecurely: `${root}/send-securely`,
    logo: `${publicUrl.replace(/\/+$/, '')}/addins/outlook/icon-128.png`,
  };
}
