// How the component refuses: an error reported on one of its resources, in our words, with nothing else around it.
import * as pulumi from "@pulumi/pulumi";

/** Throws `message` as the component's error. Its stack is the message: if the program has finished when it surfaces, Node prints the stack. */
export function refuse(message: string, resource: pulumi.Resource): never {
    const error = new pulumi.ResourceError(message, resource, true);
    error.stack = message;
    throw error;
}
