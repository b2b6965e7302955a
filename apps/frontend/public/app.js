// The cart page: keeps its cart's id in localStorage and talks to the cart API through /api.
'use strict';

const money = (cents) => (cents / 100).toFixed(2);
const $ = (selector) => document.querySelector(selector);

async function api(method, path, body) {
  const response = await fetch(`/api${path}`, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  const payload = await response.json().catch(() => ({ error: `HTTP ${response.status}` }));
  if (!response.ok) throw Object.assign(new Error(payload.error), { status: response.status });
  return payload;
}

async function currentCart() {
  const id = localStorage.getItem('cartId');
  if (id) {
    try {
      return await api('GET', `/carts/${id}`);
    } catch (error) {
      if (error.status !== 404) throw error;
    }
  }
  const cart = await api('POST', '/carts');
  localStorage.setItem('cartId', cart.id);
  return cart;
}

function render(cart) {
  const rows = cart.items.map((item) => {
    const row = document.createElement('tr');
    for (const text of [item.name, String(item.quantity), money(item.lineTotalCents)]) {
      const cell = document.createElement('td');
      cell.textContent = text;
      row.append(cell);
    }
    const remove = document.createElement('button');
    remove.type = 'button';
    remove.textContent = 'Remove';
    remove.setAttribute('aria-label', `Remove ${item.name}`);
    remove.addEventListener('click', () =>
      update(() => api('DELETE', `/carts/${cart.id}/items/${item.id}`)),
    );
    const cell = document.createElement('td');
    cell.append(remove);
    row.append(cell);
    return row;
  });
  $('#items').replaceChildren(...rows);
  $('#empty').hidden = cart.items.length > 0;
  $('#total').value = money(cart.totals.subtotalCents);
}

async function update(change) {
  $('#status').textContent = '';
  try {
    render(await change());
  } catch (error) {
    $('#status').textContent = `Sorry: ${error.message}`;
  }
}

let cartId;
update(async () => {
  const cart = await currentCart();
  cartId = cart.id;
  return cart;
});

$('#add').addEventListener('submit', (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  const name = String(form.get('name')).trim();
  const item = {
    sku:
      name
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-')
        .slice(0, 64) || 'item',
    name,
    unitPriceCents: Math.round(Number(form.get('price')) * 100),
    quantity: Number(form.get('quantity')),
  };
  update(async () => {
    const cart = await api('POST', `/carts/${cartId}/items`, item);
    event.target.reset();
    return cart;
  });
});
