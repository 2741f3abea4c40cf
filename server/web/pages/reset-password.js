// The reset-password form: calls the resetPassword mutation with the
// e-mailed link's token. Served as a file so that the page's
// Content-Security-Policy needs no 'unsafe-inline'.
const token = new URLSearchParams(location.search).get('token') || '';
const msg = document.getElementById('msg');
document.getElementById('f').addEventListener('submit', async (e) => {
  e.preventDefault();
  const p1 = document.getElementById('p1').value, p2 = document.getElementById('p2').value;
  if (p1 !== p2) { msg.className = 'ko'; msg.textContent = 'Les deux mots de passe ne sont pas identiques.'; return; }
  const r = await fetch('/graphql', {method: 'POST', headers: {'Content-Type': 'application/json'},
    body: JSON.stringify({query: 'mutation($t:String!,$p:String!){resetPassword(input:{token:$t,password:$p}){email}}', variables: {t: token, p: p1}})});
  const body = await r.json();
  if (body.errors) { msg.className = 'ko'; msg.textContent = body.errors[0].message; return; }
  msg.className = 'ok'; msg.textContent = 'Votre mot de passe est enregistré. Vous pouvez vous connecter.';
  document.getElementById('f').hidden = true;
});
