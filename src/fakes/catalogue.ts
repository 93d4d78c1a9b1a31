import type { Product } from "../clients/product-catalog";

/** The fake product service's seeded catalogue; ids are what the README's curl lines use. */
export const SEEDED_PRODUCTS: readonly Product[] = [
  { id: "sku-espresso-beans", name: "Espresso beans, 1 kg", priceCents: 2499, currency: "USD" },
  { id: "sku-filter-papers", name: "Filter papers, 100 pcs", priceCents: 599, currency: "USD" },
  { id: "sku-grinder", name: "Burr grinder", priceCents: 12900, currency: "USD" },
  { id: "sku-kettle", name: "Gooseneck kettle", priceCents: 5900, currency: "USD" },
  { id: "sku-mug", name: "Stoneware mug", priceCents: 1450, currency: "USD" },
  { id: "sku-scale", name: "Coffee scale", priceCents: 3900, currency: "USD" },
  { id: "sku-tamper", name: "Espresso tamper", priceCents: 2200, currency: "USD" },
  { id: "sku-free-sample", name: "Free sample", priceCents: 0, currency: "USD" },
];
