/** An order as published on the orders channel. */
export interface Order {
  id: string;
  item: string;
  quantity: number;
}

/** An order as the handler received it. */
export interface ReceivedOrder extends Order {
  /** Channel it arrived on. */
  channel: string;
  /** ISO time of delivery. */
  receivedAt: string;
}
