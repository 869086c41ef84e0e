package io.counterfact.gateway.auth;

import io.counterfact.common.auth.Role;

/** An authenticated caller: the configured key's name (the internal token's subject) and its role. */
public record ApiKey(String name, Role role) {
}
