/** Lambda entry: the notifications route group, built by the composition root from the function's environment. */
import { notificationsDeps } from '../composition/notifications.js';
import { production } from '../composition/root.js';
import { createHandler } from '../http/notifications.js';

export const handler = createHandler(notificationsDeps(production()));
