// A list for a message: the first few items, and how many more, so a line stays a line at any scale.

/** `a, b, c and 7 more`, or the whole list when it has at most `shown` items. */
export function listFew(items: readonly string[], shown: number): string {
    return items.length > shown ? `${items.slice(0, shown).join(", ")} and ${items.length - shown} more` : items.join(", ");
}
