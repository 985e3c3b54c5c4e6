# -*- coding: utf-8 -*-
# Copyright: Coaxis OPT contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Operator-facing messages of coaxis.opt, in English and French.

Every text a module, filter, playbook or the status report shows to an operator is a key of
MESSAGES: errors, warnings, summaries, the names of the steps that failed, report labels, the
labels of the survey choices the playbooks read back. The texts only the AWX configuration uses
(the surveys' names and questions, awx/configure.yml's messages) are no part of the collection:
they are in the project's awx/vars/messages.yml, in the same shape.
``msg()`` renders it in the operator's language (``opt_lang`` in the inventory, ``lang`` of a
module), one of LANGS; another language is an error, never a silent fallback. Both languages of
one key use the same placeholders. The values put into a message (names, addresses, states and
actions as Docker, mast and the plans name them) are not translated: they are what the
operator finds again in ``docker ps``, ``mast status`` or the inventory. SECTIONS groups the
keys by area, each section with its title in every language: the operator guide's error reference
is written from it. The unit tests check that every key has every language, that every key is in
exactly one section, that the code renders no operator text outside the catalog, and that every
key is used.
"""

from __future__ import annotations

LANGS = ('en', 'fr')

# AWX survey choices: each variable's canonical values, in the order a survey lists them. The label
# of a value in each language is the message choice_<variable>_<value> below; a French operator
# answers "redémarrer", the playbook validates "restart" (coaxis.opt.opt_choice maps one to the other).
CHOICES = {
    'tunnel_action': ('status', 'start', 'stop', 'restart'),
    'purge': ('false', 'true'),
    'prune': ('false', 'true'),
    'state': ('present', 'absent'),
}

MESSAGES = {
    'choice_tunnel_action_status': {
        'en': 'status',
        'fr': 'état',
    },
    'choice_tunnel_action_start': {
        'en': 'start',
        'fr': 'démarrer',
    },
    'choice_tunnel_action_stop': {
        'en': 'stop',
        'fr': 'arrêter',
    },
    'choice_tunnel_action_restart': {
        'en': 'restart',
        'fr': 'redémarrer',
    },
    'choice_purge_false': {
        'en': 'no',
        'fr': 'non',
    },
    'choice_purge_true': {
        'en': 'yes',
        'fr': 'oui',
    },
    'choice_prune_false': {
        'en': 'no',
        'fr': 'non',
    },
    'choice_prune_true': {
        'en': 'yes',
        'fr': 'oui',
    },
    'choice_state_present': {
        'en': 'present',
        'fr': 'présent',
    },
    'choice_state_absent': {
        'en': 'absent',
        'fr': 'absent',
    },
    'choice_unknown': {
        'en': '{value}: not a valid value of {variable}; use one of: {known}',
        'fr': '{value} : valeur de {variable} invalide ; utilisez : {known}',
    },
    'docker_unreachable': {
        'en': 'cannot reach the Docker engine at {url}: {error}',
        'fr': 'le moteur Docker {url} ne répond pas : {error}',
    },
    'docker_api_error': {
        'en': 'the Docker engine at {url} refused {action}: {error}',
        'fr': 'le moteur Docker {url} a refusé {action} : {error}',
    },
    'client_name_invalid': {
        'en': '{client}: invalid client name: use 2 to 32 characters, lowercase letters, digits '
              'and dashes, not starting or ending with a dash',
        'fr': '{client} : nom de client invalide : 2 à 32 caractères, minuscules, chiffres et '
              'tirets, sans tiret au début ni à la fin',
    },
    'client_duplicate': {
        'en': '{client}: the client is listed {count} times',
        'fr': '{client} : le client apparaît {count} fois',
    },
    'ip_missing': {
        'en': '{client}: no ip address given',
        'fr': '{client} : aucune adresse ip indiquée',
    },
    'ip_invalid': {
        'en': '{client}: {ip} is not a valid IPv4 address',
        'fr': "{client} : {ip} n'est pas une adresse IPv4 valide",
    },
    'ip_outside_subnet': {
        'en': '{client}: {ip} is outside the subnet {subnet}',
        'fr': '{client} : {ip} est hors du sous-réseau {subnet}',
    },
    'ip_outside_range': {
        'en': '{client}: {ip} is outside the ip_range {ip_range} of {subnet}',
        'fr': "{client} : {ip} est hors de la plage ip_range {ip_range} de {subnet}",
    },
    'ip_network_address': {
        'en': '{client}: {ip} is the network address of {subnet}',
        'fr': '{client} : {ip} est l\'adresse de réseau de {subnet}',
    },
    'ip_broadcast_address': {
        'en': '{client}: {ip} is the broadcast address of {subnet}',
        'fr': '{client} : {ip} est l\'adresse de diffusion de {subnet}',
    },
    'ip_gateway': {
        'en': '{client}: {ip} is the gateway of {subnet}',
        'fr': '{client} : {ip} est la passerelle de {subnet}',
    },
    'ip_duplicate': {
        'en': '{client}: {ip} is also the address of client {other}',
        'fr': '{client} : {ip} est aussi l\'adresse du client {other}',
    },
    'ip_used_on_engine': {
        'en': '{client}: {ip} is already used on the engine by container {container}',
        'fr': '{client} : {ip} est déjà utilisée sur le moteur par le conteneur {container}',
    },
    'container_name_taken': {
        'en': '{client}: the container name {container} is taken by a container that coaxis.opt does not manage',
        'fr': '{client} : le nom de conteneur {container} est pris par un conteneur que coaxis.opt ne gère pas',
    },
    'interface_invalid': {
        'en': '{client}: invalid interface name {interface}: use 1 to 15 characters, letters, digits, '
              "'-', '_' or '.'",
        'fr': "{client} : nom d'interface {interface} invalide : 1 à 15 caractères, lettres, chiffres, "
              "'-', '_' ou '.'",
    },
    'interface_unsupported': {
        'en': '{client}: naming the container interface ({interface}) needs Docker Engine 28.0 '
              '(API 1.48) or newer; this engine is {engine} (API {api})',
        'fr': "{client} : nommer l'interface du conteneur ({interface}) demande Docker Engine 28.0 "
              '(API 1.48) ou plus récent ; ce moteur est en {engine} (API {api})',
    },
    'unknown_client': {
        'en': 'only: unknown client {client} (not in clients)',
        'fr': 'only : client inconnu {client} (absent de clients)',
    },
    'ip_reserved': {
        'en': '{client}: {ip} is reserved in the plan of {network} (opt_reserved_ips)',
        'fr': '{client} : {ip} est réservée dans le plan de {network} (opt_reserved_ips)',
    },
    'ip_pool_exhausted': {
        'en': '{client}: no free address left in {pool} to allocate ({count} client(s) without an ip)',
        'fr': '{client} : plus aucune adresse libre dans {pool} à attribuer ({count} client(s) sans ip)',
    },
    'ip_allocated': {
        'en': '{client}: no ip in the inventory, allocated {ip}; pin it with opt_ip: {ip} in its host_vars',
        'fr': "{client} : pas d'ip dans l'inventaire, {ip} attribuée ; fixez-la avec opt_ip: {ip} dans ses host_vars",
    },
    'ip_kept': {
        'en': '{client}: no ip in the inventory, keeps {ip} (its running container); pin it with opt_ip: {ip} in its host_vars',
        'fr': "{client} : pas d'ip dans l'inventaire, garde {ip} (son conteneur actuel) ; fixez-la avec opt_ip: {ip} dans ses host_vars",
    },
    'client_docker_host_unknown': {
        'en': '{client}: opt_docker_host {docker_host} is not a member of the docker_hosts group',
        'fr': "{client} : opt_docker_host {docker_host} n'est pas membre du groupe docker_hosts",
    },
    'net_subnet_invalid': {
        'en': 'network {network}: subnet {subnet} is not a valid IPv4 network (a.b.c.d/n, n from 8 to 30)',
        'fr': "réseau {network} : le sous-réseau {subnet} n'est pas un réseau IPv4 valide (a.b.c.d/n, n de 8 à 30)",
    },
    'net_subnet_not_network': {
        'en': 'network {network}: subnet {subnet} is not a network address; did you mean {expected}?',
        'fr': "réseau {network} : le sous-réseau {subnet} n'est pas une adresse de réseau ; vouliez-vous dire {expected} ?",
    },
    'net_gateway_invalid': {
        'en': 'network {network}: gateway {gateway} is not a valid IPv4 address',
        'fr': "réseau {network} : la passerelle {gateway} n'est pas une adresse IPv4 valide",
    },
    'net_gateway_outside': {
        'en': 'network {network}: gateway {gateway} is outside the subnet {subnet}',
        'fr': 'réseau {network} : la passerelle {gateway} est hors du sous-réseau {subnet}',
    },
    'net_gateway_reserved': {
        'en': 'network {network}: gateway {gateway} is the network or broadcast address of {subnet}',
        'fr': 'réseau {network} : la passerelle {gateway} est l\'adresse de réseau ou de diffusion de {subnet}',
    },
    'net_ip_range_invalid': {
        'en': 'network {network}: ip_range {ip_range} is not a valid IPv4 network',
        'fr': "réseau {network} : ip_range {ip_range} n'est pas un réseau IPv4 valide",
    },
    'net_ip_range_outside': {
        'en': 'network {network}: ip_range {ip_range} is not inside the subnet {subnet}',
        'fr': "réseau {network} : ip_range {ip_range} n'est pas inclus dans le sous-réseau {subnet}",
    },
    'net_bridge_name_invalid': {
        'en': "network {network}: invalid bridge name {bridge_name}: use 1 to 15 characters, letters, "
              "digits, '-', '_' or '.'",
        'fr': "réseau {network} : nom de bridge {bridge_name} invalide : 1 à 15 caractères, lettres, "
              "chiffres, '-', '_' ou '.'",
    },
    'net_name_invalid': {
        'en': "invalid network name {network}: use letters, digits, '-', '_' or '.', starting with a letter or digit",
        'fr': "nom de réseau {network} invalide : lettres, chiffres, '-', '_' ou '.', en commençant par une lettre ou un chiffre",
    },
    'net_reserved_invalid': {
        'en': 'network {network}: reserved address {ip} is not a valid IPv4 address',
        'fr': "réseau {network} : l'adresse réservée {ip} n'est pas une adresse IPv4 valide",
    },
    'net_reserved_outside': {
        'en': 'network {network}: reserved address {ip} is outside the subnet {subnet}',
        'fr': "réseau {network} : l'adresse réservée {ip} est hors du sous-réseau {subnet}",
    },
    'net_coaxis_lan_invalid': {
        'en': 'network {network}: Coaxis LAN {lan} (opt_coaxis_lans) is not a valid IPv4 network (a.b.c.d/n)',
        'fr': "réseau {network} : le LAN Coaxis {lan} (opt_coaxis_lans) n'est pas un réseau IPv4 valide (a.b.c.d/n)",
    },
    'net_overlap_coaxis': {
        'en': 'network {network}: subnet {subnet} overlaps the Coaxis LAN {other}',
        'fr': 'réseau {network} : le sous-réseau {subnet} chevauche le LAN Coaxis {other}',
    },
    'net_overlap_engine': {
        'en': 'network {network}: subnet {subnet} overlaps the network {other} ({other_subnet}) of the engine',
        'fr': 'réseau {network} : le sous-réseau {subnet} chevauche le réseau {other} ({other_subnet}) du moteur',
    },
    'net_overlap_docker_host': {
        'en': 'network {network}: subnet {subnet} overlaps the client subnet {other_subnet} of Docker host '
              '{other_host}; each Docker host needs a subnet of its own (the Coaxis hosts route each one '
              'through its Docker host)',
        'fr': "réseau {network} : le sous-réseau {subnet} chevauche le sous-réseau client {other_subnet} de "
              "l'hôte Docker {other_host} ; chaque hôte Docker a besoin du sien (les hôtes Coaxis routent "
              "chacun par son hôte Docker)",
    },
    'docker_host_address_duplicate': {
        'en': 'opt_docker_host_address {address} is also the address of {other}: each Docker host needs its own '
              'address on the Coaxis LAN (the Coaxis hosts route its client subnet through it)',
        'fr': "opt_docker_host_address {address} est aussi l'adresse de {other} : chaque hôte Docker a besoin de sa "
              'propre adresse sur le LAN Coaxis (les hôtes Coaxis routent son sous-réseau des clients par elle)',
    },
    'net_too_small': {
        'en': 'network {network}: {pool} has {free} usable address(es) for {count} client(s); use a shorter prefix',
        'fr': 'réseau {network} : {pool} offre {free} adresse(s) utilisable(s) pour {count} client(s) ; prenez un préfixe plus court',
    },
    'net_difference': {
        'en': '{field}: engine {before}, inventory {after}',
        'fr': '{field} : moteur {before}, inventaire {after}',
    },
    'net_drift_attached': {
        'en': 'network {network} differs from the inventory ({differences}) and {count} container(s) are '
              'attached: it is never recreated with containers on it; fix the inventory or move the containers off',
        'fr': "le réseau {network} diffère de l'inventaire ({differences}) et {count} conteneur(s) y sont "
              "attachés : il n'est jamais recréé avec des conteneurs ; corrigez l'inventaire ou détachez les conteneurs",
    },
    'net_drift_never': {
        'en': 'network {network} differs from the inventory ({differences}); no container is attached: '
              'set recreate=when_empty to recreate it, or fix the inventory',
        'fr': "le réseau {network} diffère de l'inventaire ({differences}) ; aucun conteneur n'y est attaché : "
              "mettez recreate=when_empty pour le recréer, ou corrigez l'inventaire",
    },
    'net_ipv6_on': {
        'en': 'network {network} has IPv6 enabled: the client network must be IPv4 only (the firewall filters '
              'IPv4; over IPv6 the clients would bypass it). It is never recreated: remove its containers and the '
              'network (remove_client.yml), then run again; it is created with IPv6 off',
        'fr': "le réseau {network} a IPv6 activé : le réseau client doit être en IPv4 seul (le pare-feu filtre "
              "l'IPv4 ; en IPv6 les clients le contourneraient). Il n'est jamais recréé : retirez ses conteneurs et "
              "le réseau (remove_client.yml), puis relancez ; il est créé avec IPv6 désactivé",
    },
    'network_missing': {
        'en': 'network {network} does not exist on the engine {url}; create it first (coaxis.opt.opt_network)',
        'fr': "le réseau {network} n'existe pas sur le moteur {url} ; créez-le d'abord (coaxis.opt.opt_network)",
    },
    'network_no_ipv4': {
        'en': 'network {network} on the engine {url} has no IPv4 subnet',
        'fr': "le réseau {network} du moteur {url} n'a pas de sous-réseau IPv4",
    },
    'image_missing': {
        'en': 'image {image} is not on the engine {url}; load it there (docker load, or build it from images/): it is never pulled',
        'fr': "l'image {image} n'est pas sur le moteur {url} ; chargez-la (docker load, ou construisez-la depuis images/) : elle n'est jamais téléchargée",
    },
    'apply_failed': {
        'en': '{client}: {action} failed: {error}',
        'fr': '{client} : échec de {action} : {error}',
    },
    'plan_refused': {
        'en': '{count} problem(s), nothing was changed: {errors}',
        'fr': "{count} problème(s), rien n'a été modifié : {errors}",
    },
    'filter_failed': {
        'en': '{count} problem(s): {errors}',
        'fr': '{count} problème(s) : {errors}',
    },
    'lock_name_invalid': {
        'en': "invalid lock name {name}: use 1 to 64 characters, letters, digits, '_', '.' or '-', "
              'starting with a letter or digit',
        'fr': "nom de verrou {name} invalide : 1 à 64 caractères, lettres, chiffres, '_', '.' ou '-', "
              'en commençant par une lettre ou un chiffre',
    },
    'lock_timeout_invalid': {
        'en': 'lock timeout {timeout} is invalid: use a whole number of seconds, 0 or more',
        'fr': "le délai d'attente du verrou {timeout} est invalide : un nombre entier de secondes, 0 ou plus",
    },
    'lock_ttl_invalid': {
        'en': 'lock ttl {ttl} is invalid: use a whole number of seconds, 1 or more',
        'fr': 'la durée de vie du verrou {ttl} est invalide : un nombre entier de secondes, 1 ou plus',
    },
    'lock_busy': {
        'en': 'lock {path} is held by "{owner}" since {since} (stale after {ttl} s); gave up after '
              'waiting {waited} s. If its holder is dead, break it by hand on the Docker host: '
              'rm -rf {path}',
        'fr': 'le verrou {path} est tenu par « {owner} » depuis {since} (périmé après {ttl} s) ; abandon '
              'après {waited} s d\'attente. Si son détenteur est mort, cassez-le à la main sur l\'hôte '
              'Docker : rm -rf {path}',
    },
    'lock_not_owner': {
        'en': 'lock {path} is held by "{owner}" since {since}, not by this run (token mismatch): left in place',
        'fr': 'le verrou {path} est tenu par « {owner} » depuis {since}, pas par cette exécution (jeton '
              'différent) : laissé en place',
    },
    'lock_io_error': {
        'en': 'lock {path}: {error}',
        'fr': 'verrou {path} : {error}',
    },
    'tunnel_no_container': {
        'en': '{client}: no container {container} on this Docker host; add the client first '
              '(playbooks/add_client.yml -e client={client})',
        'fr': "{client} : pas de conteneur {container} sur cet hôte Docker ; ajoutez d'abord le client "
              "(playbooks/add_client.yml -e client={client})",
    },
    'tunnel_container_not_running': {
        'en': '{client}: container {container} is {state}, not running (docker logs {container} says why); '
              'converge it with playbooks/add_client.yml -e client={client}',
        'fr': "{client} : le conteneur {container} est {state}, il ne tourne pas (docker logs {container} dit "
              "pourquoi) ; remettez-le en place avec playbooks/add_client.yml -e client={client}",
    },
    'tunnel_no_daemon': {
        'en': '{client}: mast does not answer in container {container} (exit {code}): {output}',
        'fr': '{client} : mast ne répond pas dans le conteneur {container} (code {code}) : {output}',
    },
    'tunnel_unknown_site': {
        'en': "{client}: unknown site {site}; the client's sites are: {known}",
        'fr': '{client} : site inconnu {site} ; les sites du client sont : {known}',
    },
    'tunnel_unknown_action': {
        'en': '{action}: unknown tunnel action; use one of: {known}',
        'fr': '{action} : action de tunnel inconnue ; utilisez : {known}',
    },
    'tunnel_action_failed': {
        'en': '{client}: mast {action} {sites} failed (exit {code}): {output}',
        'fr': '{client} : mast {action} {sites} a échoué (code {code}) : {output}',
    },
    'tunnel_not_up': {
        'en': '{client}: not up (waited at most {wait} s): {sites}',
        'fr': "{client} : pas up (attendu {wait} s au plus) : {sites}",
    },
    'tunnel_site_line': {
        'en': '{client}/{site}: {state} since {since}; last error: {last_error}; listen ports: {ports}',
        'fr': '{client}/{site} : {state} depuis {since} ; dernière erreur : {last_error} ; ports d\'écoute : {ports}',
    },
    'upgrade_unknown_clients': {
        'en': '{clients}: unknown client(s); the inventory\'s clients (group opt_clients) are: {known}',
        'fr': "{clients} : client(s) inconnu(s) ; les clients de l'inventaire (groupe opt_clients) sont : {known}",
    },
    'upgrade_not_up': {
        'en': '{client}: upgrade to {image} stopped, sites not up (waited at most {wait} s): {sites}; '
              'the next clients keep their image',
        'fr': "{client} : mise à jour vers {image} arrêtée, sites pas up (attendu {wait} s au plus) : {sites} ; "
              "les clients suivants gardent leur image",
    },
    'upgrade_not_deployed': {
        'en': '{client}: not deployed (no container {container}), left alone: add it with '
              'playbooks/add_client.yml -e client={client}',
        'fr': '{client} : non déployé (pas de conteneur {container}), laissé tel quel : ajoutez-le avec '
              'playbooks/add_client.yml -e client={client}',
    },
    'upgrade_client_done': {
        'en': '{client}: container {container_id} on {image}, IP {ip}, sites up: {sites}',
        'fr': '{client} : conteneur {container_id} sur {image}, IP {ip}, sites up : {sites}',
    },
    'vol_type_invalid': {
        'en': '{client}: {role} volume: unknown type {type} (use one of {types})',
        'fr': '{client} : volume {role} : type {type} inconnu (utilisez {types})',
    },
    'vol_option_missing': {
        'en': '{client}: {role} volume ({type}): {option} is required',
        'fr': '{client} : volume {role} ({type}) : {option} est obligatoire',
    },
    'vol_option_unexpected': {
        'en': '{client}: {role} volume: option {option} does not apply to the type {type}',
        'fr': "{client} : volume {role} : l'option {option} ne s'applique pas au type {type}",
    },
    'vol_option_comma': {
        'en': '{client}: {role} volume: {option} must not contain a comma (it would split the mount options)',
        'fr': '{client} : volume {role} : {option} ne doit pas contenir de virgule (elle couperait les options de montage)',
    },
    'vol_export_invalid': {
        'en': '{client}: {role} volume (nfs): export {export} must be an absolute path, for example /exports/opt/{client}',
        'fr': '{client} : volume {role} (nfs) : export {export} doit être un chemin absolu, par exemple /exports/opt/{client}',
    },
    'vol_share_invalid': {
        'en': '{client}: {role} volume (cifs): share {share} must look like //server/share[/path]',
        'fr': '{client} : volume {role} (cifs) : le partage {share} doit être de la forme //serveur/partage[/chemin]',
    },
    'vol_difference': {
        'en': '{option}: engine {engine}, inventory {inventory}',
        'fr': '{option} : moteur {engine}, inventaire {inventory}',
    },
    'vol_drift': {
        'en': '{client}: volume {volume} differs from the inventory ({differences}); it is left as it is '
              '(a volume is never removed or recreated): fix the inventory, or give the volume a new name '
              'with these options and migrate: true (the data is copied, this volume is kept)',
        'fr': "{client} : le volume {volume} diffère de l'inventaire ({differences}) ; il est laissé tel quel "
              "(un volume n'est jamais supprimé ni recréé) : corrigez l'inventaire, ou donnez au volume un nouveau "
              "nom avec ces options et migrate: true (les données sont copiées, ce volume est gardé)",
    },
    'cfg_sites_not_list': {
        'en': '{client}: sites must be a list of site dicts',
        'fr': '{client} : sites doit être une liste de sites (dictionnaires)',
    },
    'cfg_site_unknown_field': {
        'en': '{client}: site {site}: unknown field {field}',
        'fr': '{client} : site {site} : champ inconnu {field}',
    },
    'cfg_site_name_invalid': {
        'en': '{client}: site {site}: invalid site name: use 1 to 32 characters, lowercase letters, digits '
              'and dashes, not starting or ending with a dash',
        'fr': '{client} : site {site} : nom de site invalide : 1 à 32 caractères, minuscules, chiffres et '
              'tirets, sans tiret au début ni à la fin',
    },
    'cfg_site_duplicate': {
        'en': '{client}: site {site} is listed {count} times',
        'fr': '{client} : le site {site} apparaît {count} fois',
    },
    'cfg_host_missing': {
        'en': '{client}: site {site}: host is missing',
        'fr': '{client} : site {site} : host est absent',
    },
    'cfg_host_invalid': {
        'en': '{client}: site {site}: host {host} is not a host name or an IPv4 address',
        'fr': "{client} : site {site} : host {host} n'est ni un nom d'hôte ni une adresse IPv4",
    },
    'cfg_host_key_missing': {
        'en': "{client}: site {site}: host_key is missing: pin the site's SSH host key as '<type> <base64>' "
              '(ssh-keyscan)',
        'fr': "{client} : site {site} : host_key est absent : épinglez la clé d'hôte SSH du site sous la forme "
              "'<type> <base64>' (ssh-keyscan)",
    },
    'cfg_host_key_invalid': {
        'en': "{client}: site {site}: host_key is not '<type> <base64>' with a key of that type; types: {types}",
        'fr': "{client} : site {site} : host_key n'est pas '<type> <base64>' avec une clé de ce type ; types : {types}",
    },
    'cfg_site_not_integer': {
        'en': '{client}: site {site}: {field} must be an integer, got {value}',
        'fr': '{client} : site {site} : {field} doit être un entier, reçu {value}',
    },
    'cfg_site_range': {
        'en': '{client}: site {site}: {field} {value} is out of range {low}..{high}',
        'fr': '{client} : site {site} : {field} {value} hors de la plage {low}..{high}',
    },
    'cfg_limit_range': {
        'en': '{client}: site {site}: {field} {value} is out of range: {low} to {high} KiB/s, or null for no limit',
        'fr': '{client} : site {site} : {field} {value} hors plage : {low} à {high} Kio/s, ou null pour aucune limite',
    },
    'cfg_user_invalid': {
        'en': '{client}: site {site}: user {user} is not a valid user name',
        'fr': "{client} : site {site} : user {user} n'est pas un nom d'utilisateur valide",
    },
    'cfg_compression_invalid': {
        'en': '{client}: site {site}: compression must be true or false, got {value}',
        'fr': '{client} : site {site} : compression doit valoir true ou false, reçu {value}',
    },
    'cfg_printers_not_list': {
        'en': '{client}: site {site}: printers must be a list of printer dicts',
        'fr': '{client} : site {site} : printers doit être une liste d\'imprimantes (dictionnaires)',
    },
    'cfg_printer_unknown_field': {
        'en': '{client}: site {site}: printer {printer}: unknown field {field}',
        'fr': '{client} : site {site} : imprimante {printer} : champ inconnu {field}',
    },
    'cfg_printer_name_invalid': {
        'en': '{client}: site {site}: printer {printer}: invalid printer name: use 1 to 32 characters, '
              'lowercase letters, digits and dashes, not starting or ending with a dash',
        'fr': "{client} : site {site} : imprimante {printer} : nom d'imprimante invalide : 1 à 32 caractères, "
              'minuscules, chiffres et tirets, sans tiret au début ni à la fin',
    },
    'cfg_printer_duplicate': {
        'en': '{client}: site {site}: printer {printer} is listed {count} times',
        'fr': "{client} : site {site} : l'imprimante {printer} apparaît {count} fois",
    },
    'cfg_printer_address_missing': {
        'en': '{client}: site {site}: printer {printer}: address is missing',
        'fr': '{client} : site {site} : imprimante {printer} : address est absent',
    },
    'cfg_printer_address_invalid': {
        'en': '{client}: site {site}: printer {printer}: address {address} is not a host name or an IPv4 address',
        'fr': "{client} : site {site} : imprimante {printer} : address {address} n'est ni un nom d'hôte ni une adresse IPv4",
    },
    'cfg_printer_listen_port_missing': {
        'en': '{client}: site {site}: printer {printer}: listen_port is missing',
        'fr': '{client} : site {site} : imprimante {printer} : listen_port est absent',
    },
    'cfg_printer_not_integer': {
        'en': '{client}: site {site}: printer {printer}: {field} must be an integer, got {value}',
        'fr': '{client} : site {site} : imprimante {printer} : {field} doit être un entier, reçu {value}',
    },
    'cfg_printer_range': {
        'en': '{client}: site {site}: printer {printer}: {field} {value} is out of range {low}..{high}',
        'fr': '{client} : site {site} : imprimante {printer} : {field} {value} hors de la plage {low}..{high}',
    },
    'cfg_listen_port_duplicate': {
        'en': '{client}: listen_port {port} is used by site {site} printer {printer} and by site {other_site} '
              'printer {other_printer}',
        'fr': "{client} : listen_port {port} est utilisé par le site {site} imprimante {printer} et par le site "
              "{other_site} imprimante {other_printer}",
    },
    'cfg_private_key_missing': {
        'en': '{client}: private_key is missing; it is required when the client has sites ({count})',
        'fr': '{client} : private_key est absente ; elle est obligatoire quand le client a des sites ({count})',
    },
    'cfg_private_key_invalid': {
        'en': '{client}: private_key does not look like an OpenSSH or PEM private key '
              '(-----BEGIN ... PRIVATE KEY----- ... -----END ... PRIVATE KEY-----)',
        'fr': '{client} : private_key ne ressemble pas à une clé privée OpenSSH ou PEM '
              '(-----BEGIN ... PRIVATE KEY----- ... -----END ... PRIVATE KEY-----)',
    },
    'cfg_nginx_invalid': {
        'en': '{client}: nginx must be a dict of {fields} (enabled: true or false)',
        'fr': '{client} : nginx doit être un dictionnaire de {fields} (enabled : true ou false)',
    },
    'cfg_nginx_unknown_field': {
        'en': '{client}: nginx: unknown field {field} (known: {fields})',
        'fr': '{client} : nginx : champ inconnu {field} (connus : {fields})',
    },
    'cfg_volume_missing': {
        'en': '{client}: the config volume {volume} does not exist on the engine {url}; create it first '
              '(coaxis.opt.opt_volume)',
        'fr': "{client} : le volume de configuration {volume} n'existe pas sur le moteur {url} ; créez-le "
              "d'abord (coaxis.opt.opt_volume)",
    },
    'cfg_volume_planned': {
        'en': '{client}: the config volume {volume} does not exist yet (check mode: a real run creates it '
              'first); all its files are listed as to write',
        'fr': "{client} : le volume de configuration {volume} n'existe pas encore (mode vérification : une vraie "
              "exécution le crée d'abord) ; tous ses fichiers sont listés comme à écrire",
    },
    'cfg_helper_timeout': {
        'en': 'volume {volume}: the helper container did not finish within {timeout} s',
        'fr': "volume {volume} : le conteneur auxiliaire n'a pas fini en {timeout} s",
    },
    'cfg_delete_failed': {
        'en': 'volume {volume}: removing {paths} failed (exit {code}): {output}',
        'fr': 'volume {volume} : la suppression de {paths} a échoué (code {code}) : {output}',
    },
    'cfg_reload_failed': {
        'en': '{client}: files written, but mast reload in {container} failed (exit {code}): {output}',
        'fr': '{client} : fichiers écrits, mais mast reload dans {container} a échoué (code {code}) : {output}',
    },
    'vol_name_invalid': {
        'en': '{client}: {role} volume: invalid name {volume} (letters, digits, _ . - and at least 2 characters, '
              'starting with a letter or a digit)',
        'fr': '{client} : volume {role} : nom {volume} invalide (lettres, chiffres, _ . - et au moins 2 caractères, '
              'commençant par une lettre ou un chiffre)',
    },
    'vol_name_duplicate': {
        'en': 'volume {volume} is named for {count} volumes ({uses}); each client volume needs its own',
        'fr': 'le volume {volume} est nommé pour {count} volumes ({uses}) ; chaque volume de client doit avoir le sien',
    },
    'vol_migrate_required': {
        'en': '{client}: the {role} volume {volume} does not exist and the data is in {source}: a new empty '
              'volume would hide it. Add migrate: true for this client (opt_volume_migrate: true) to copy '
              '{source} into {volume} ({source} is kept), or remove the name',
        'fr': "{client} : le volume {role} {volume} n'existe pas et les données sont dans {source} : un nouveau "
              'volume vide les cacherait. Ajoutez migrate: true pour ce client (opt_volume_migrate: true) pour '
              'copier {source} dans {volume} ({source} est gardé), ou retirez le nom',
    },
    'vol_helper_image_required': {
        'en': 'helper_image is required to migrate {volumes} (the image of the copy helper, never pulled)',
        'fr': "helper_image est obligatoire pour migrer {volumes} (l'image du conteneur de copie, jamais téléchargée)",
    },
    'vol_migrate_copy_failed': {
        'en': '{client}: copying the {role} volume {source} into {volume} failed (exit {code}): {output}; '
              '{source} is untouched, run again to retry',
        'fr': '{client} : la copie du volume {role} {source} dans {volume} a échoué (code {code}) : {output} ; '
              "{source} n'est pas modifié, relancez pour réessayer",
    },
    'vol_migrate_verify_failed': {
        'en': '{client}: the copy of the {role} volume {source} into {volume} is incomplete ({differences}); '
              '{source} is untouched, run again to retry',
        'fr': '{client} : la copie du volume {role} {source} dans {volume} est incomplète ({differences}) ; '
              "{source} n'est pas modifié, relancez pour réessayer",
    },
    'vol_switch': {
        'en': '{client}: the container uses {source} as its {role} volume; it will use {volume}, which exists: '
              'the data of {source} is kept there, not copied',
        'fr': '{client} : le conteneur utilise {source} comme volume {role} ; il utilisera {volume}, qui existe : '
              'les données de {source} y restent, elles ne sont pas copiées',
    },
    'client_volume_missing': {
        'en': '{client}: the volume {volume} named in the inventory does not exist on the engine {url}; create it '
              'first (coaxis.opt.opt_volume): a new empty volume would hide the data',
        'fr': "{client} : le volume {volume} nommé dans l'inventaire n'existe pas sur le moteur {url} ; créez-le "
              "d'abord (coaxis.opt.opt_volume) : un nouveau volume vide cacherait les données",
    },
    'fw_bridge_invalid': {
        'en': 'client network bridge {bridge!r}: not a valid interface name (1-15 characters: letters, digits, . _ -)',
        'fr': "pont du réseau client {bridge!r} : nom d'interface invalide (1 à 15 caractères : lettres, chiffres, . _ -)",
    },
    'fw_no_coaxis_lan': {
        'en': 'no Coaxis LAN given (opt_coaxis_lans): nobody could print through the firewall',
        'fr': "aucun LAN Coaxis indiqué (opt_coaxis_lans) : personne ne pourrait imprimer à travers le pare-feu",
    },
    'fw_lan_invalid': {
        'en': 'Coaxis LAN {lan!r}: expected an IPv4 network in CIDR form (e.g. 192.168.2.0/24)',
        'fr': 'LAN Coaxis {lan!r} : un réseau IPv4 en notation CIDR est attendu (ex. 192.168.2.0/24)',
    },
    'fw_ip_invalid': {
        'en': '{client}: no valid IPv4 address for its firewall rules ({ip!r})',
        'fr': '{client} : pas d\'adresse IPv4 valide pour ses règles de pare-feu ({ip!r})',
    },
    'fw_ip_duplicate': {
        'en': '{client}: address {ip} is also the address of {other}',
        'fr': '{client} : l\'adresse {ip} est aussi celle de {other}',
    },
    'fw_port_invalid': {
        'en': '{client}: invalid listen port(s) {ports} (1-65535)',
        'fr': "{client} : port(s) d'écoute invalide(s) {ports} (1 à 65535)",
    },
    'fw_network_missing': {
        'en': 'client network {network} does not exist on {url}: run add_client.yml first (it creates it)',
        'fr': "le réseau client {network} n'existe pas sur {url} : lancez d'abord add_client.yml (il le crée)",
    },
    'fw_image_missing': {
        'en': 'firewall image {image} is not on the engine {url}; load it there (it is never pulled)',
        'fr': "l'image du pare-feu {image} n'est pas sur le moteur {url} ; chargez-la (elle n'est jamais téléchargée)",
    },
    'fw_apply_failed': {
        'en': 'firewall rules not applied (the previous rules stay in place): {error}',
        'fr': 'règles de pare-feu non appliquées (les règles précédentes restent en place) : {error}',
    },
    'fw_not_running': {
        'en': 'firewall container {name} is not running after its start ({state}): {logs}',
        'fr': 'le conteneur pare-feu {name} ne tourne pas après son démarrage ({state}) : {logs}',
    },
    'fw_summary': {
        'en': 'firewall of {network}: {count} client(s) with rules, backend {backend}; added: {added}; pruned: {pruned}',
        'fr': 'pare-feu de {network} : {count} client(s) avec règles, backend {backend} ; ajoutés : {added} ; retirés : {pruned}',
    },
    # Network policy: the Coaxis hosts (opt_coaxis_sources), each client's egress allow-list.
    'fw_no_coaxis_source': {
        'en': 'no Coaxis host address given (opt_coaxis_sources, by default the addresses of the coaxis_hosts '
              'group): nobody could print through the firewall',
        'fr': "aucune adresse d'hôte Coaxis indiquée (opt_coaxis_sources, par défaut les adresses du groupe "
              "coaxis_hosts) : personne ne pourrait imprimer à travers le pare-feu",
    },
    'fw_source_invalid': {
        'en': 'Coaxis host {source!r}: expected an IPv4 address or network (e.g. 192.168.2.10 or 192.168.2.8/29); '
              'set opt_coaxis_sources to the Coaxis hosts\' addresses',
        'fr': "hôte Coaxis {source!r} : une adresse ou un réseau IPv4 est attendu (ex. 192.168.2.10 ou 192.168.2.8/29) ; "
              "indiquez les adresses des hôtes Coaxis dans opt_coaxis_sources",
    },
    'fw_site_invalid': {
        'en': '{client}: site {site}: host {host!r}, port {port!r} cannot make a firewall rule '
              '(an IPv4 address or a host name, port 1-65535)',
        'fr': '{client} : site {site} : hôte {host!r}, port {port!r} ne peuvent pas faire une règle de pare-feu '
              '(une adresse IPv4 ou un nom d\'hôte, port 1 à 65535)',
    },
    'fw_site_unresolved': {
        'en': '{client}: site {site}: {host} resolves to no IPv4 address on the Docker host, and its firewall rule '
              'needs one; fix the DNS or name the site by its address',
        'fr': "{client} : site {site} : {host} ne se résout en aucune adresse IPv4 sur l'hôte Docker, et sa règle "
              "de pare-feu en a besoin ; corrigez le DNS ou désignez le site par son adresse",
    },
    'fw_dns_none': {
        'en': '{client}: a site is named by host name, but no DNS server is known to allow its container to ask '
              '(set opt_dns_servers, or name the site by its address)',
        'fr': "{client} : un site est désigné par un nom d'hôte, mais aucun serveur DNS n'est connu pour que son "
              "conteneur puisse le résoudre (indiquez opt_dns_servers, ou désignez le site par son adresse)",
    },
    'fw_dns_invalid': {
        'en': 'DNS server {server!r}: expected an IPv4 address (opt_dns_servers)',
        'fr': 'serveur DNS {server!r} : une adresse IPv4 est attendue (opt_dns_servers)',
    },
    'probe_no_container': {
        'en': '{client}: no container {container} on this Docker host',
        'fr': '{client} : pas de conteneur {container} sur cet hôte Docker',
    },
    'probe_not_running': {
        'en': '{client}: container {container} is {state}, not running',
        'fr': "{client} : le conteneur {container} est {state}, il ne tourne pas",
    },
    'probe_command_failed': {
        'en': '{client}: {command} failed (exit {code}): {output}',
        'fr': '{client} : {command} a échoué (code {code}) : {output}',
    },
    'probe_summary': {
        'en': '{client}: service {service}; sites up {sites_up}/{sites}; printers up {printers_up}/{printers}',
        'fr': '{client} : service {service} ; sites actifs {sites_up}/{sites} ; imprimantes actives '
              '{printers_up}/{printers}',
    },
    'report_written': {
        'en': 'status report written: {html} (and {json})',
        'fr': "rapport d'état écrit : {html} (et {json})",
    },
    'report_title': {'en': 'OPT status', 'fr': 'État OPT'},
    'report_checked_at': {'en': 'Checked at {time}', 'fr': 'Vérifié le {time}'},
    'report_container': {'en': 'Container', 'fr': 'Conteneur'},
    'report_site': {'en': 'Site', 'fr': 'Site'},
    'report_printer': {'en': 'Printer', 'fr': 'Imprimante'},
    'report_address': {'en': 'Address', 'fr': 'Adresse'},
    'report_listen_port': {'en': 'Listen port', 'fr': "Port d'écoute"},
    'report_tunnel': {'en': 'Tunnel', 'fr': 'Tunnel'},
    'report_since': {'en': 'since {time}', 'fr': 'depuis {time}'},
    'report_tcp': {'en': 'TCP (telnet)', 'fr': 'TCP (telnet)'},
    'report_ping': {'en': 'Ping', 'fr': 'Ping'},
    'report_state': {'en': 'State', 'fr': 'État'},
    'report_last_error': {'en': 'Last error', 'fr': 'Dernière erreur'},
    'report_no_sites': {'en': 'no site', 'fr': 'aucun site'},
    'report_no_clients': {'en': 'no client probed', 'fr': 'aucun client vérifié'},
    'report_legend': {'en': 'Legend', 'fr': 'Légende'},
    'state_up': {'en': 'up', 'fr': 'actif'},
    'state_down': {'en': 'down', 'fr': 'en panne'},
    'state_unknown': {'en': 'unknown', 'fr': 'inconnu'},
    'state_degraded': {'en': 'degraded', 'fr': 'dégradé'},
    'state_stopped': {'en': 'stopped', 'fr': 'arrêté'},
    'state_absent': {'en': 'absent (not deployed)', 'fr': 'absent (non déployé)'},
    'state_connecting': {'en': 'connecting', 'fr': 'connexion en cours'},
    'state_unsupported': {'en': 'unsupported', 'fr': 'non pris en charge'},
    'route_unit_invalid': {
        'en': "invalid unit name {unit}: use letters, digits, ':', '_', '.', '@' or '-', without .service",
        'fr': "nom d'unité {unit} invalide : lettres, chiffres, ':', '_', '.', '@' ou '-', sans .service",
    },
    'route_dest_invalid': {
        'en': 'route {dest}: not a valid IPv4 network (a.b.c.d/n)',
        'fr': "route {dest} : ce n'est pas un réseau IPv4 valide (a.b.c.d/n)",
    },
    'route_dest_host_bits': {
        'en': 'route {dest}: host bits are set; did you mean {network}?',
        'fr': "route {dest} : des bits d'hôte sont à 1 ; vouliez-vous dire {network} ?",
    },
    'route_dest_default': {
        'en': 'route {dest}: the default route is not managed by coaxis.opt.opt_route',
        'fr': "route {dest} : la route par défaut n'est pas gérée par coaxis.opt.opt_route",
    },
    'route_via_invalid': {
        'en': 'route {dest}: gateway {via} is not a valid IPv4 address',
        'fr': "route {dest} : la passerelle {via} n'est pas une adresse IPv4 valide",
    },
    'route_via_inside': {
        'en': 'route {dest}: gateway {via} is inside the destination itself',
        'fr': 'route {dest} : la passerelle {via} est dans la destination elle-même',
    },
    'route_comment_invalid': {
        'en': 'route {dest}: the comment must be one line of printable characters',
        'fr': "route {dest} : le commentaire doit tenir sur une ligne de caractères imprimables",
    },
    'route_duplicate': {
        'en': 'route {dest} is listed {count} times',
        'fr': 'la route {dest} apparaît {count} fois',
    },
    'route_overlap': {
        'en': 'route {dest} overlaps the requested route {other}',
        'fr': 'la route {dest} chevauche la route demandée {other}',
    },
    'route_no_systemd': {
        'en': 'persist=systemd, but this host does not run systemd ({path} is missing): persist the '
              'routes another way and use persist=none',
        'fr': "persist=systemd, mais cet hôte ne fonctionne pas sous systemd ({path} est absent) : "
              'rendez les routes persistantes autrement et utilisez persist=none',
    },
    'route_unit_foreign': {
        'en': 'the unit file {path} exists and was not written by coaxis.opt.opt_route: it is left alone; '
              'choose another unit name',
        'fr': "le fichier d'unité {path} existe et n'a pas été écrit par coaxis.opt.opt_route : il n'est pas "
              "modifié ; choisissez un autre nom d'unité",
    },
    'route_gateway_unreachable': {
        'en': 'route {dest}: gateway {via} is not on a directly connected network of this host ({detail})',
        'fr': "route {dest} : la passerelle {via} n'est pas sur un réseau directement connecté à cet hôte ({detail})",
    },
    'route_conflict_same': {
        'en': 'route {dest} via {via}: the host already has the route {existing}; it is never overwritten: '
              'remove it by hand or fix the inventory',
        'fr': "route {dest} via {via} : l'hôte a déjà la route {existing} ; elle n'est jamais écrasée : "
              "supprimez-la à la main ou corrigez l'inventaire",
    },
    'route_conflict_inside': {
        'en': 'route {dest} via {via}: the host has the more specific route {existing} inside it, not made by '
              'coaxis.opt.opt_route; remove it by hand or fix the inventory',
        'fr': "route {dest} via {via} : l'hôte a la route plus précise {existing} à l'intérieur, qui ne vient "
              "pas de coaxis.opt.opt_route ; supprimez-la à la main ou corrigez l'inventaire",
    },
    'route_command_failed': {
        'en': '{command} failed (exit {code}): {error}',
        'fr': '{command} a échoué (code {code}) : {error}',
    },
    'route_summary': {
        'en': '{host}: route {dest} via {via} ({comment}): {action}',
        'fr': '{host} : route {dest} via {via} ({comment}) : {action}',
    },
    'playbook_unknown_client': {
        'en': '{client}: unknown client; the inventory\'s clients (group opt_clients) are: {known}',
        'fr': '{client} : client inconnu ; les clients de l\'inventaire (groupe opt_clients) sont : {known}',
    },
    'inventory_plan_valid': {
        'en': 'whole inventory checked (addresses, clients, sites, printers, keys, volumes, vhosts, Docker hosts): '
              'no problem',
        'fr': "tout l'inventaire vérifié (adresses, clients, sites, imprimantes, clés, volumes, vhosts, hôtes "
              'Docker) : aucun problème',
    },
    'site_key_public': {
        'en': '{client}: public key to add to the authorized_keys of the SSH account at each of its sites:',
        'fr': "{client} : clé publique à ajouter aux authorized_keys du compte SSH de chacun de ses sites :",
    },
    'site_key_stored': {
        'en': 'new key stored in host_vars/{client}/vault.yml (vault_opt_private_key)',
        'fr': 'nouvelle clé enregistrée dans host_vars/{client}/vault.yml (vault_opt_private_key)',
    },
    'site_key_pin': {
        'en': 'the key is not used until host_vars/{client}/main.yml has the line '
              'opt_private_key: "{{{{ vault_opt_private_key }}}}"',
        'fr': "la clé n'est utilisée qu'une fois la ligne "
              'opt_private_key: "{{{{ vault_opt_private_key }}}}" dans host_vars/{client}/main.yml',
    },
    'site_key_check_mode': {
        'en': '{client}: check mode: a new key would be made and stored in host_vars/{client}/vault.yml; '
              'run without --check to make it and print its public key',
        'fr': '{client} : mode vérification : une nouvelle clé serait créée et enregistrée dans '
              'host_vars/{client}/vault.yml ; relancez sans --check pour la créer et afficher sa clé publique',
    },
    'site_key_vault_without_key': {
        'en': '{client}: host_vars/{client}/vault.yml exists and holds no vault_opt_private_key; it is never '
              'overwritten: move it out of the inventory (or add the key to it), then run again',
        'fr': "{client} : host_vars/{client}/vault.yml existe sans vault_opt_private_key ; il n'est jamais "
              "écrasé : sortez-le de l'inventaire (ou ajoutez-y la clé), puis relancez",
    },
    'client_summary': {
        'en': '{client}: container {container_id}, IP {ip}/{prefix} via {gateway}, {state} ({action})',
        'fr': '{client} : conteneur {container_id}, IP {ip}/{prefix} via {gateway}, {state} ({action})',
    },
    'client_summary_no_network': {
        'en': '{client}: container {container_id}, IP {ip} (network {network} not created yet), {state} ({action})',
        'fr': '{client} : conteneur {container_id}, IP {ip} (réseau {network} pas encore créé), {state} ({action})',
    },
    'step_refused': {
        'en': '{count} problem(s), this step changed nothing (the steps before it in the run may have): {errors}',
        'fr': "{count} problème(s), cette étape n'a rien modifié (les étapes d'avant dans l'exécution ont pu le "
              'faire) : {errors}',
    },
    'step_failed_after_changes': {
        'en': '{count} problem(s) after this step changed: {changes}; {errors}',
        'fr': '{count} problème(s) après que cette étape a modifié : {changes} ; {errors}',
    },
    'inventory_unreadable': {
        'en': '{host}: {variable} cannot be read: {error}',
        'fr': '{host} : {variable} illisible : {error}',
    },
    'inventory_private_key_unreadable': {
        'en': '{host}: opt_private_key cannot be read ({error}): make the client\'s key with '
              'playbooks/site_key.yml -e client={host}, or remove the opt_private_key line until it has one',
        'fr': '{host} : opt_private_key illisible ({error}) : créez la clé du client avec '
              'playbooks/site_key.yml -e client={host}, ou retirez la ligne opt_private_key en attendant',
    },
    'inventory_volume_not_dict': {
        'en': '{client}: {variable} must be a dict (name, type and the driver settings)',
        'fr': '{client} : {variable} doit être un dictionnaire (name, type et les réglages du pilote)',
    },
    'inventory_migrate_invalid': {
        'en': '{client}: opt_volume_migrate {value!r}: expected true or false',
        'fr': '{client} : opt_volume_migrate {value!r} : true ou false attendu',
    },
    'proxy_extra_not_list': {
        'en': '{client}: opt_vhost_extra must be a list of nginx directives, one per item',
        'fr': '{client} : opt_vhost_extra doit être une liste de directives nginx, une par élément',
    },
    'proxy_extra_refused': {
        'en': '{client}: opt_vhost_extra: {directives} not allowed; only directives that act on the requests and '
              'responses of the vhost, never on a file, are: {allowed}',
        'fr': "{client} : opt_vhost_extra : {directives} non autorisé(s) ; seules les directives qui agissent sur "
              "les requêtes et les réponses du vhost, jamais sur un fichier, le sont : {allowed}",
    },
    'docker_url_invalid': {
        'en': 'opt_docker_url {url!r}: expected unix://<socket>, ssh://<user>@<host>, https://<host>:<port> or '
              'tcp://<host>:<port>',
        'fr': 'opt_docker_url {url!r} : unix://<socket>, ssh://<utilisateur>@<hôte>, https://<hôte>:<port> ou '
              'tcp://<hôte>:<port> attendu',
    },
    'docker_url_insecure': {
        'en': 'opt_docker_url {url}: the Docker API without TLS gives root on the Docker host to whoever reaches it; '
              'use unix:// or ssh://, set opt_docker_tls (ca_cert, client_cert, client_key), or accept it '
              'explicitly with opt_docker_insecure: true',
        'fr': "opt_docker_url {url} : l'API Docker sans TLS donne les droits root sur l'hôte Docker à qui "
              "l'atteint ; utilisez unix:// ou ssh://, renseignez opt_docker_tls (ca_cert, client_cert, client_key), "
              'ou acceptez-le explicitement avec opt_docker_insecure: true',
    },
    'docker_tls_invalid': {
        'en': 'opt_docker_tls: expected a dict with ca_cert and, together, client_cert and client_key (paths on the '
              'Docker host; known fields: {fields})',
        'fr': "opt_docker_tls : dictionnaire attendu avec ca_cert et, ensemble, client_cert et client_key (chemins "
              "sur l'hôte Docker ; champs connus : {fields})",
    },
    'docker_insecure_invalid': {
        'en': 'opt_docker_insecure {value!r}: expected true or false',
        'fr': 'opt_docker_insecure {value!r} : true ou false attendu',
    },
    'remove_done': {
        'en': '{client}: removed container(s) {containers}; volumes removed: {removed}; volumes kept: {kept}',
        'fr': '{client} : conteneur(s) supprimé(s) {containers} ; volumes supprimés : {removed} ; volumes conservés : {kept}',
    },
    'remove_nothing': {
        'en': '{client}: no container on this Docker host, nothing to remove (volumes kept: {kept})',
        'fr': '{client} : aucun conteneur sur cet hôte Docker, rien à supprimer (volumes conservés : {kept})',
    },
    'remove_kept_hint': {
        'en': 'the data volumes are kept: add_client.yml brings the client back with its data; '
              'remove_client.yml -e purge=true deletes them',
        'fr': "les volumes de données sont conservés : add_client.yml rétablit le client avec ses données ; "
              "remove_client.yml -e purge=true les supprime",
    },
    'admin_url_invalid': {
        'en': 'opt_admin_url {url!r}: expected http(s)://<host>[:<port>][/<path>] (letters, digits, . - _ ~ / only)',
        'fr': 'opt_admin_url {url!r} : http(s)://<hôte>[:<port>][/<chemin>] attendu (lettres, chiffres, . - _ ~ / uniquement)',
    },
    'admin_secret_missing': {
        'en': 'the admin interface {url} needs opt_admin_signing_secret: each client signs its X-OPT-Client with it '
              '(vault one random value of 32 characters or more, the same the admin interface checks with)',
        'fr': "l'interface d'administration {url} a besoin de opt_admin_signing_secret : chaque client signe son "
              "X-OPT-Client avec (chiffrez une valeur aléatoire d'au moins 32 caractères, celle avec laquelle "
              "l'interface d'administration vérifie)",
    },
    'admin_secret_short': {
        'en': 'opt_admin_signing_secret is shorter than {minimum} characters: the client signatures are only as '
              'strong as it (vault a longer random value)',
        'fr': 'opt_admin_signing_secret fait moins de {minimum} caractères : les signatures des clients ne sont '
              'pas plus solides que lui (chiffrez une valeur aléatoire plus longue)',
    },
    'fw_admin_not_address': {
        'en': 'the admin interface {host} is a name: the firewall needs its address; set opt_admin_address (e.g. 192.168.2.20)',
        'fr': "l'interface d'administration {host} est un nom : le pare-feu a besoin de son adresse ; "
              "indiquez opt_admin_address (ex. 192.168.2.20)",
    },
    'proxy_domain_invalid': {
        'en': 'opt_domain {domain!r}: not a DNS domain (labels of a-z, 0-9 and -, at least two)',
        'fr': 'opt_domain {domain!r} : pas un domaine DNS (libellés a-z, 0-9 et -, au moins deux)',
    },
    'proxy_cert_invalid': {
        'en': 'the wildcard certificate (opt_tls_cert) is not a PEM certificate',
        'fr': "le certificat générique (opt_tls_cert) n'est pas un certificat PEM",
    },
    'proxy_key_invalid': {
        'en': 'the wildcard certificate key (opt_tls_key, vaulted) is not a PEM private key',
        'fr': "la clé du certificat générique (opt_tls_key, chiffrée) n'est pas une clé privée PEM",
    },
    'proxy_image_missing': {
        'en': 'edge proxy image {image} is not on the engine {url}; load it there (it is never pulled)',
        'fr': "l'image du proxy d'entrée {image} n'est pas sur le moteur {url} ; chargez-la (elle n'est jamais téléchargée)",
    },
    'proxy_subdomain_invalid': {
        'en': '{client}: subdomain {subdomain!r} is not a DNS label (1-63 of a-z, 0-9 and -, no dash at either end)',
        'fr': '{client} : le sous-domaine {subdomain!r} n\'est pas un libellé DNS (1 à 63 de a-z, 0-9 et -, sans tiret aux extrémités)',
    },
    'proxy_subdomain_duplicate': {
        'en': '{client}: subdomain {subdomain} is already the subdomain of {other}',
        'fr': '{client} : le sous-domaine {subdomain} est déjà celui de {other}',
    },
    'proxy_extra_invalid': {
        'en': '{client}: opt_vhost_extra takes simple directives, one per line, ending with ";": {lines}',
        'fr': '{client} : opt_vhost_extra prend des directives simples, une par ligne, terminées par « ; » : {lines}',
    },
    'proxy_vhost_failed': {
        'en': '{client}: vhost refused by nginx, the previous one stays in place (the other clients are served): {error}',
        'fr': '{client} : vhost refusé par nginx, le précédent reste en place (les autres clients sont servis) : {error}',
    },
    'proxy_not_running': {
        'en': 'edge proxy {name} is not running after its start ({state}): {logs}',
        'fr': 'le proxy {name} ne tourne pas après son démarrage ({state}) : {logs}',
    },
    'proxy_reload_failed': {
        'en': 'edge proxy configuration refused as a whole, previous files restored: {error}',
        'fr': 'configuration du proxy refusée dans son ensemble, fichiers précédents restaurés : {error}',
    },
    'proxy_subdomain_backoffice': {
        'en': '{client}: subdomain {subdomain} is the back-office of the admin interface ({host}); choose another one',
        'fr': "{client} : le sous-domaine {subdomain} est le back-office de l'interface d'administration ({host}) ; "
              "choisissez-en un autre",
    },
    'proxy_backoffice_failed': {
        'en': 'the back-office vhost ({host}) was refused by nginx, the previous one stays in place: {error}',
        'fr': 'le vhost du back-office ({host}) est refusé par nginx, le précédent reste en place : {error}',
    },
    'portal_secret_key_short': {
        'en': 'opt_portal_secret_key is {length} characters long: give it at least 32 random ones (vaulted)',
        'fr': 'opt_portal_secret_key fait {length} caractères : donnez-lui au moins 32 caractères aléatoires (chiffrés)',
    },
    'portal_vault_password_empty': {
        'en': 'opt_portal_vault_password is empty: the portal needs the vault secret of id {vault_id} to run the playbooks '
              'and to vault new keys',
        'fr': "opt_portal_vault_password est vide : le portail a besoin du secret du coffre d'identifiant {vault_id} "
              'pour lancer les playbooks et chiffrer les nouvelles clés',
    },
    'portal_domain_missing': {
        'en': 'opt_portal_domain (by default opt_domain) is empty: the back-office is opt.<domain>',
        'fr': 'opt_portal_domain (par défaut opt_domain) est vide : le back-office est opt.<domaine>',
    },
    'portal_socket_missing': {
        'en': 'the Docker socket {path} (opt_portal_engine_sockets) does not exist on the admin host',
        'fr': "le socket Docker {path} (opt_portal_engine_sockets) n'existe pas sur l'hôte d'administration",
    },
    'portal_not_healthy': {
        'en': 'the portal {name} is not healthy {seconds} s after its start ({state}): {log} (docker logs {name})',
        'fr': "le portail {name} n'est pas sain {seconds} s après son démarrage ({state}) : {log} (docker logs {name})",
    },
    'portal_ready': {
        'en': 'portal {name} healthy ({image}); the back-office answers at {url}',
        'fr': 'portail {name} sain ({image}) ; le back-office répond sur {url}',
    },
    'limits_not_dict': {
        'en': '{where} must be a dict, got {value!r}',
        'fr': '{where} doit être un dictionnaire, reçu {value!r}',
    },
    'limits_unknown_key': {
        'en': '{where}: unknown key(s) {keys}; known: {known}',
        'fr': '{where} : clé(s) inconnue(s) {keys} ; connues : {known}',
    },
    'limits_memory_invalid': {
        'en': '{where}: memory {value!r} is not a size in {range} (a number with k, m or g)',
        'fr': '{where} : la mémoire {value!r} n\'est pas une taille dans {range} (un nombre suivi de k, m ou g)',
    },
    'limits_pids_invalid': {
        'en': '{where}: pids {value!r} is not a whole number in {range}',
        'fr': '{where} : pids {value!r} n\'est pas un entier dans {range}',
    },
    'limits_cpus_invalid': {
        'en': '{where}: cpus {value!r} is not a number of CPUs in {range}',
        'fr': '{where} : cpus {value!r} n\'est pas un nombre de processeurs dans {range}',
    },
    'limits_cpus_engine': {
        'en': '{where}: cpus {value} is more than the {ncpu} CPU(s) of the engine {url}',
        'fr': '{where} : cpus {value} dépasse les {ncpu} processeur(s) du moteur {url}',
    },
    'log_driver_invalid': {
        'en': '{where}: log driver {value!r} is not one of {drivers} (the drivers Docker bounds with max_size and '
              'max_file)',
        'fr': '{where} : le pilote de journaux {value!r} n\'est pas l\'un de {drivers} (ceux que Docker borne par '
              'max_size et max_file)',
    },
    'log_max_size_invalid': {
        'en': '{where}: max_size {value!r} is not a size in {range} (a number with k, m or g)',
        'fr': '{where} : max_size {value!r} n\'est pas une taille dans {range} (un nombre suivi de k, m ou g)',
    },
    'log_max_file_invalid': {
        'en': '{where}: max_file {value!r} is not a whole number in {range}',
        'fr': '{where} : max_file {value!r} n\'est pas un entier dans {range}',
    },
    'lang_unknown': {
        'en': 'unknown language {language!r}: use one of {languages}',
        'fr': 'langue inconnue {language!r} : utilisez {languages}',
    },
    'step_request': {'en': 'the request', 'fr': 'la requête'},
    'step_connection': {'en': 'the connection', 'fr': 'la connexion'},
    'step_engine_read': {'en': 'the engine read', 'fr': 'la lecture du moteur'},
    'step_probe': {'en': 'the probe', 'fr': 'la vérification'},
    'step_config_volume': {'en': 'the config volume access', 'fr': "l'accès au volume de configuration"},
    'step_firewall_inspect': {'en': 'the firewall inspection', 'fr': "l'inspection du pare-feu"},
    'step_firewall_update': {'en': 'the firewall update', 'fr': 'la mise à jour du pare-feu'},
    'step_firewall_check': {'en': 'the firewall check', 'fr': 'la vérification du pare-feu'},
    'step_network_inspect': {'en': 'the network inspect', 'fr': "l'inspection du réseau"},
    'step_network_remove': {'en': 'the network removal', 'fr': 'la suppression du réseau'},
    'step_network_create': {'en': 'the network creation', 'fr': 'la création du réseau'},
    'step_proxy_inspect': {'en': 'the edge proxy inspection', 'fr': "l'inspection du proxy"},
    'step_proxy_update': {'en': 'the edge proxy update', 'fr': 'la mise à jour du proxy'},
    'step_remove_inventory': {
        'en': "the inventory of the clients' containers and volumes",
        'fr': "l'inventaire des conteneurs et des volumes des clients",
    },
    'step_remove_container': {
        'en': 'the removal of container {container}',
        'fr': 'la suppression du conteneur {container}',
    },
    'step_remove_volume': {
        'en': 'the removal of volume {volume}',
        'fr': 'la suppression du volume {volume}',
    },
    'step_tunnel_status': {'en': 'the tunnel status', 'fr': "la lecture de l'état des tunnels"},
    'step_tunnel_action': {'en': 'the tunnel action', 'fr': "l'action sur les tunnels"},
    'step_volume_list': {'en': 'the volume list', 'fr': 'la liste des volumes'},
    'step_helper_image': {'en': 'the helper image', 'fr': "l'image du conteneur auxiliaire"},
    'step_volume_create': {
        'en': 'the creation of the volume {volume}',
        'fr': 'la création du volume {volume}',
    },
    'step_volume_migrate': {
        'en': 'the migration of the volume {source} to {volume}',
        'fr': 'la migration du volume {source} vers {volume}',
    },
    'value_unset': {'en': '(unset)', 'fr': '(non défini)'},
    'network_missing_check_mode': {
        'en': 'network {network} does not exist yet on the engine {url} (check mode: a real run creates it '
              'first); the addresses are not checked against it',
        'fr': "le réseau {network} n'existe pas encore sur le moteur {url} (mode vérification : une vraie exécution le "
              "crée d'abord) ; les adresses ne sont pas vérifiées par rapport à lui",
    },
    'lock_owner_unknown': {
        'en': '(unknown: owner.json missing or unreadable)',
        'fr': '(inconnu : owner.json absent ou illisible)',
    },
    'fw_apply_exit': {'en': 'exit code {code}', 'fr': 'code de sortie {code}'},
    'fw_status_no_container': {'en': 'no firewall container', 'fr': 'aucun conteneur pare-feu'},
    'proxy_check_no_detail': {'en': 'nginx -t failed', 'fr': 'nginx -t a échoué'},
    'route_lookup_no_answer': {'en': 'no answer', 'fr': 'aucune réponse'},
    'route_lookup_missing': {'en': 'not looked up', 'fr': 'non recherchée'},
    'route_gateway_type': {'en': '{type} address', 'fr': 'adresse de type {type}'},
    'route_gateway_via': {'en': 'reached via {gateway} dev {dev}', 'fr': 'atteinte via {gateway} dev {dev}'},
    'routes_host_lacks': {'en': '{host} lacks {missing}', 'fr': '{host} : il manque {missing}'},
    'routes_inventory_incomplete': {
        'en': "{problems} (the route to a Docker host's clients needs its client subnet and its address on "
              'the Coaxis LAN)',
        'fr': "{problems} (la route vers les clients d'un hôte Docker demande son sous-réseau client et son "
              'adresse sur le LAN Coaxis)',
    },
    'routes_state_invalid': {
        'en': 'state must be present or absent, not {state}',
        'fr': 'state doit valoir present ou absent, pas {state}',
    },
    'netaddr_missing': {
        'en': '{filter}: the netaddr Python library is required',
        'fr': '{filter} : la bibliothèque Python netaddr est nécessaire',
    },
    'vol_copy_missing': {'en': 'missing {path}', 'fr': '{path} absent'},
    'vol_copy_type': {
        'en': '{path}: type {type} instead of {expected}',
        'fr': '{path} : type {type} au lieu de {expected}',
    },
    'vol_copy_size': {
        'en': '{path}: {size} bytes instead of {expected}',
        'fr': '{path} : {size} octets au lieu de {expected}',
    },
    'vol_copy_more': {'en': '{shown} and {count} more', 'fr': '{shown} et {count} de plus'},
    'diff_runtime_routes': {
        'en': 'runtime routes (ip route show table main)',
        'fr': 'routes en service (ip route show table main)',
    },
    'diff_runtime_routes_after': {'en': 'runtime routes', 'fr': 'routes en service'},
    'diff_file_absent': {'en': '{client}: {path} (absent)', 'fr': '{client} : {path} (absent)'},
    'report_tcp_error': {'en': 'TCP: {error}', 'fr': 'TCP : {error}'},
    'report_ping_error': {'en': 'Ping: {error}', 'fr': 'Ping : {error}'},
    'report_duration': {'en': '{ms} ms', 'fr': '{ms} ms'},
    'vault_no_secret': {
        'en': 'no vault secret in this run: give one as for any vaulted inventory (--vault-id, '
              '--ask-vault-pass, vault_password_file or ANSIBLE_VAULT_PASSWORD_FILE)',
        'fr': 'aucun secret de coffre dans cette exécution : donnez-en un comme pour tout inventaire '
              'chiffré (--vault-id, --ask-vault-pass, vault_password_file ou ANSIBLE_VAULT_PASSWORD_FILE)',
    },
    'vault_id_unknown': {
        'en': 'vault id {vault_id} is not among the secrets of this run ({known})',
        'fr': "l'identifiant de coffre {vault_id} ne fait pas partie des secrets de cette exécution ({known})",
    },
    'vault_id_required': {
        'en': 'this run has {count} vault secrets ({known}): name the one that vaults the new value with '
              '-e opt_vault_encrypt_id=<id>',
        'fr': "cette exécution a {count} secrets de coffre ({known}) : nommez celui qui chiffre la nouvelle "
              "valeur avec -e opt_vault_encrypt_id=<id>",
    },
    'vault_lab_secret_refused': {
        'en': "vault secret {vault_id} is the lab's public password and the inventory in use ({inventory}) is "
              "not the lab: anyone could decrypt a value vaulted with it. Give the run your own secret "
              "(--vault-id prod@prompt) and, when it has several, -e opt_vault_encrypt_id=prod",
        'fr': "le secret de coffre {vault_id} est le mot de passe public du labo et l'inventaire utilisé "
              "({inventory}) n'est pas le labo : n'importe qui déchiffrerait une valeur chiffrée avec lui. "
              "Donnez à l'exécution votre propre secret (--vault-id prod@prompt) et, s'il y en a plusieurs, "
              "-e opt_vault_encrypt_id=prod",
    },
    'vault_src_unreadable': {
        'en': 'cannot read {path} on the controller: {error}',
        'fr': 'impossible de lire {path} sur le contrôleur : {error}',
    },
    'vault_name_invalid': {
        'en': '{name} is not a valid variable name',
        'fr': "{name} n'est pas un nom de variable valide",
    },
    'drift_none': {
        'en': '{host}: no drift (containers, firewall rules and vhosts as the inventory declares)',
        'fr': "{host} : aucune dérive (conteneurs, règles de pare-feu et vhosts tels que l'inventaire les déclare)",
    },
    'drift_undeclared': {
        'en': '{host}: {kind} that the inventory does not declare: {names}',
        'fr': "{host} : {kind} que l'inventaire ne déclare pas : {names}",
    },
    'drift_missing': {
        'en': '{host}: {kind} that the inventory declares and that are missing: {names}',
        'fr': "{host} : {kind} que l'inventaire déclare et qui manquent : {names}",
    },
    'drift_stopped': {
        'en': '{host}: declared clients whose container is not running: {names}',
        'fr': '{host} : clients déclarés dont le conteneur ne tourne pas : {names}',
    },
    'drift_unmanaged': {
        'en': '{host}: containers on {network} that coaxis-opt does not manage (never removed): {names}',
        'fr': '{host} : conteneurs sur {network} que coaxis-opt ne gère pas (jamais supprimés) : {names}',
    },
    'drift_kind_containers': {'en': 'client containers', 'fr': 'conteneurs de clients'},
    'drift_kind_rules': {'en': 'firewall rules of clients', 'fr': 'règles de pare-feu de clients'},
    'drift_kind_vhosts': {'en': 'vhosts of clients', 'fr': 'vhosts de clients'},
    'drift_kind_routes': {'en': 'routes', 'fr': 'routes'},
    'drift_report_only': {
        'en': 'nothing was removed: -e prune=true removes the undeclared containers (their volumes are kept), '
              'their firewall rules and vhosts, and the undeclared routes',
        'fr': "rien n'a été supprimé : -e prune=true supprime les conteneurs non déclarés (leurs volumes sont "
              'conservés), leurs règles de pare-feu et vhosts, et les routes non déclarées',
    },
    'drift_routes_none': {
        'en': '{host}: no drift of the routes to the client networks',
        'fr': '{host} : aucune dérive des routes vers les réseaux des clients',
    },
    'state_write_failed': {
        'en': 'cannot record the state of the Docker host in {path}: {error}',
        'fr': "impossible d'enregistrer l'état de l'hôte Docker dans {path} : {error}",
    },
    'state_unchanged': {
        'en': '{host}: inputs and engine as the last converge left them: nothing to do',
        'fr': '{host} : entrées et moteur tels que les a laissés la dernière convergence : rien à faire',
    },
    'state_converging': {
        'en': '{host}: converging (changed since the last converge: {reasons})',
        'fr': '{host} : convergence (changé depuis la dernière convergence : {reasons})',
    },
    'host_info_client': {
        'en': '{client}: {state}, {ip}',
        'fr': '{client} : {state}, {ip}',
    },
}


# The catalog's sections, in the order the operator guide's error reference lists them
# (docs/gen_errors.py writes docs/en/errors.md and docs/fr/erreurs.md from them, and
# docs/errors_help.toml explains each one): section id -> its title in every language of LANGS and
# its keys, in the order the page lists them. Every key of MESSAGES is in exactly one section (a
# unit test holds them equal): a new key joins the section of its area.
SECTIONS = {
    'choices': {
        'title': {'en': 'AWX survey choices', 'fr': 'Choix des questionnaires AWX'},
        'keys': (
            'choice_tunnel_action_status', 'choice_tunnel_action_start', 'choice_tunnel_action_stop',
            'choice_tunnel_action_restart', 'choice_purge_false', 'choice_purge_true', 'choice_prune_false',
            'choice_prune_true', 'choice_state_present', 'choice_state_absent', 'choice_unknown',
        ),
    },
    'engine': {
        'title': {'en': 'Engine access', 'fr': 'Accès au moteur'},
        'keys': (
            'docker_unreachable', 'docker_api_error',
        ),
    },
    'ipplan': {
        'title': {
            'en': 'Client names and addresses (address plan)',
            'fr': "Noms et adresses des clients (plan d'adressage)",
        },
        'keys': (
            'client_name_invalid', 'client_duplicate', 'ip_missing', 'ip_invalid', 'ip_outside_subnet',
            'ip_outside_range', 'ip_network_address', 'ip_broadcast_address', 'ip_gateway', 'ip_duplicate',
            'ip_used_on_engine', 'container_name_taken', 'interface_invalid', 'interface_unsupported',
            'unknown_client', 'ip_reserved', 'ip_pool_exhausted', 'ip_allocated', 'ip_kept',
            'client_docker_host_unknown',
        ),
    },
    'network': {
        'title': {'en': 'Client network', 'fr': 'Réseau des clients'},
        'keys': (
            'net_subnet_invalid', 'net_subnet_not_network', 'net_gateway_invalid', 'net_gateway_outside',
            'net_gateway_reserved', 'net_ip_range_invalid', 'net_ip_range_outside', 'net_bridge_name_invalid',
            'net_name_invalid', 'net_reserved_invalid', 'net_reserved_outside', 'net_coaxis_lan_invalid',
            'net_overlap_coaxis', 'net_overlap_engine', 'net_overlap_docker_host',
            'docker_host_address_duplicate', 'net_too_small', 'net_difference', 'net_drift_attached',
            'net_drift_never', 'net_ipv6_on', 'network_missing', 'network_no_ipv4',
        ),
    },
    'images': {
        'title': {'en': 'Images and applying changes', 'fr': 'Images et application des changements'},
        'keys': (
            'image_missing', 'apply_failed', 'plan_refused', 'filter_failed',
        ),
    },
    'lock': {
        'title': {'en': "The Docker host's lock", 'fr': "Le verrou de l'hôte Docker"},
        'keys': (
            'lock_name_invalid', 'lock_timeout_invalid', 'lock_ttl_invalid', 'lock_busy', 'lock_not_owner',
            'lock_io_error',
        ),
    },
    'tunnels': {
        'title': {'en': 'Tunnels and upgrade', 'fr': 'Tunnels et mise à jour'},
        'keys': (
            'tunnel_no_container', 'tunnel_container_not_running', 'tunnel_no_daemon', 'tunnel_unknown_site',
            'tunnel_unknown_action', 'tunnel_action_failed', 'tunnel_not_up', 'tunnel_site_line',
            'upgrade_unknown_clients', 'upgrade_not_up', 'upgrade_not_deployed', 'upgrade_client_done',
        ),
    },
    'volumes': {
        'title': {'en': 'Volumes and configurations', 'fr': 'Volumes et configurations'},
        'keys': (
            'vol_type_invalid', 'vol_option_missing', 'vol_option_unexpected', 'vol_option_comma',
            'vol_export_invalid', 'vol_share_invalid', 'vol_difference', 'vol_drift', 'cfg_sites_not_list',
            'cfg_site_unknown_field', 'cfg_site_name_invalid', 'cfg_site_duplicate', 'cfg_host_missing',
            'cfg_host_invalid', 'cfg_host_key_missing', 'cfg_host_key_invalid', 'cfg_site_not_integer',
            'cfg_site_range', 'cfg_limit_range', 'cfg_user_invalid', 'cfg_compression_invalid',
            'cfg_printers_not_list', 'cfg_printer_unknown_field', 'cfg_printer_name_invalid',
            'cfg_printer_duplicate', 'cfg_printer_address_missing', 'cfg_printer_address_invalid',
            'cfg_printer_listen_port_missing', 'cfg_printer_not_integer', 'cfg_printer_range',
            'cfg_listen_port_duplicate', 'cfg_private_key_missing', 'cfg_private_key_invalid',
            'cfg_nginx_invalid', 'cfg_nginx_unknown_field', 'cfg_volume_missing', 'cfg_volume_planned', 'cfg_helper_timeout',
            'cfg_delete_failed', 'cfg_reload_failed', 'vol_name_invalid', 'vol_name_duplicate',
            'vol_migrate_required', 'vol_helper_image_required', 'vol_migrate_copy_failed',
            'vol_migrate_verify_failed', 'vol_switch', 'client_volume_missing',
        ),
    },
    'firewall': {
        'title': {'en': 'Firewall', 'fr': 'Pare-feu'},
        'keys': (
            'fw_bridge_invalid', 'fw_no_coaxis_lan', 'fw_lan_invalid', 'fw_ip_invalid', 'fw_ip_duplicate',
            'fw_port_invalid', 'fw_network_missing', 'fw_image_missing', 'fw_apply_failed', 'fw_not_running',
            'fw_summary', 'fw_no_coaxis_source', 'fw_source_invalid', 'fw_site_invalid', 'fw_site_unresolved',
            'fw_dns_none', 'fw_dns_invalid',
        ),
    },
    'probes': {
        'title': {'en': 'Probes and status report', 'fr': "Sondes et rapport d'état"},
        'keys': (
            'probe_no_container', 'probe_not_running', 'probe_command_failed', 'probe_summary',
            'report_written', 'report_title', 'report_checked_at', 'report_container', 'report_site',
            'report_printer', 'report_address', 'report_listen_port', 'report_tunnel', 'report_since',
            'report_tcp', 'report_ping', 'report_state', 'report_last_error', 'report_no_sites',
            'report_no_clients', 'report_legend', 'state_up', 'state_down', 'state_unknown', 'state_degraded',
            'state_stopped', 'state_absent', 'state_connecting', 'state_unsupported',
        ),
    },
    'routes': {
        'title': {'en': 'Routes on the Coaxis hosts', 'fr': 'Routes des hôtes Coaxis'},
        'keys': (
            'route_unit_invalid', 'route_dest_invalid', 'route_dest_host_bits', 'route_dest_default',
            'route_via_invalid', 'route_via_inside', 'route_comment_invalid', 'route_duplicate',
            'route_overlap', 'route_no_systemd', 'route_unit_foreign', 'route_gateway_unreachable',
            'route_conflict_same', 'route_conflict_inside', 'route_command_failed', 'route_summary',
        ),
    },
    'playbooks': {
        'title': {'en': 'Playbooks', 'fr': 'Playbooks'},
        'keys': (
            'playbook_unknown_client', 'inventory_plan_valid', 'site_key_public', 'site_key_stored', 'site_key_pin',
            'site_key_vault_without_key', 'site_key_check_mode', 'client_summary',
            'client_summary_no_network',
        ),
    },
    'inventory': {
        'title': {
            'en': "The whole-inventory check and the Docker engine's URL",
            'fr': "Le contrôle de tout l'inventaire et l'URL du moteur Docker",
        },
        'keys': (
            'step_refused', 'step_failed_after_changes', 'inventory_unreadable', 'inventory_private_key_unreadable',
            'inventory_volume_not_dict',
            'inventory_migrate_invalid', 'proxy_extra_not_list', 'proxy_extra_refused', 'docker_url_invalid',
            'docker_url_insecure', 'docker_tls_invalid', 'docker_insecure_invalid',
        ),
    },
    'removal': {
        'title': {'en': 'Removal', 'fr': "Retrait d'un client"},
        'keys': (
            'remove_done', 'remove_nothing', 'remove_kept_hint',
        ),
    },
    'admin': {
        'title': {
            'en': 'Admin interface and client subdomains',
            'fr': "Interface d'administration et sous-domaines des clients",
        },
        'keys': (
            'admin_url_invalid', 'admin_secret_missing', 'admin_secret_short', 'fw_admin_not_address',
            'proxy_domain_invalid', 'proxy_cert_invalid', 'proxy_key_invalid', 'proxy_image_missing',
            'proxy_subdomain_invalid', 'proxy_subdomain_duplicate', 'proxy_extra_invalid', 'proxy_vhost_failed',
            'proxy_not_running', 'proxy_reload_failed', 'proxy_subdomain_backoffice', 'proxy_backoffice_failed',
        ),
    },
    'portal': {
        'title': {'en': 'Deploying the admin interface', 'fr': "Déploiement de l'interface d'administration"},
        'keys': (
            'portal_secret_key_short', 'portal_vault_password_empty', 'portal_domain_missing',
            'portal_socket_missing', 'portal_not_healthy', 'portal_ready',
        ),
    },
    'limits': {
        'title': {'en': 'Resource limits and logs', 'fr': 'Limites de ressources et journaux'},
        'keys': (
            'limits_not_dict', 'limits_unknown_key', 'limits_memory_invalid', 'limits_pids_invalid',
            'limits_cpus_invalid', 'limits_cpus_engine', 'log_driver_invalid', 'log_max_size_invalid',
            'log_max_file_invalid',
        ),
    },
    'language': {
        'title': {'en': 'Language', 'fr': 'Langue'},
        'keys': (
            'lang_unknown',
        ),
    },
    'steps': {
        'title': {'en': 'Steps the Docker engine refused', 'fr': 'Étapes refusées par le moteur Docker'},
        'keys': (
            'step_request', 'step_connection', 'step_engine_read', 'step_probe', 'step_config_volume',
            'step_firewall_inspect', 'step_firewall_update', 'step_firewall_check', 'step_network_inspect',
            'step_network_remove', 'step_network_create', 'step_proxy_inspect', 'step_proxy_update',
            'step_remove_inventory', 'step_remove_container', 'step_remove_volume', 'step_tunnel_status',
            'step_tunnel_action', 'step_volume_list', 'step_helper_image', 'step_volume_create',
            'step_volume_migrate',
        ),
    },
    'details': {
        'title': {'en': 'Details inside other messages', 'fr': "Détails à l'intérieur d'autres messages"},
        'keys': (
            'value_unset', 'network_missing_check_mode', 'lock_owner_unknown', 'fw_apply_exit',
            'fw_status_no_container', 'proxy_check_no_detail', 'route_lookup_no_answer', 'route_lookup_missing',
            'route_gateway_type', 'route_gateway_via', 'routes_host_lacks', 'routes_inventory_incomplete',
            'routes_state_invalid', 'netaddr_missing', 'vol_copy_missing', 'vol_copy_type', 'vol_copy_size',
            'vol_copy_more',
        ),
    },
    'diff': {
        'title': {'en': 'Diff headers and report details', 'fr': 'En-têtes de diff et détails du rapport'},
        'keys': (
            'diff_runtime_routes', 'diff_runtime_routes_after', 'diff_file_absent', 'report_tcp_error',
            'report_ping_error', 'report_duration',
        ),
    },
    'vault': {
        'title': {'en': 'Vault', 'fr': 'Coffre (vault)'},
        'keys': (
            'vault_no_secret', 'vault_id_unknown', 'vault_id_required', 'vault_lab_secret_refused',
            'vault_src_unreadable', 'vault_name_invalid',
        ),
    },
    'drift': {
        'title': {'en': 'Drift', 'fr': 'Dérive'},
        'keys': (
            'drift_none', 'drift_undeclared', 'drift_missing', 'drift_stopped', 'drift_unmanaged',
            'drift_kind_containers', 'drift_kind_rules', 'drift_kind_vhosts', 'drift_kind_routes',
            'drift_report_only', 'drift_routes_none',
        ),
    },
    'state': {
        'title': {'en': "The Docker host's state", 'fr': "L'état de l'hôte Docker"},
        'keys': (
            'state_write_failed', 'state_unchanged', 'state_converging', 'host_info_client',
        ),
    },
}


def unknown_language(lang):
    """The error for a language outside LANGS, in every language of the catalog: the operator's
    own is the one that is not known."""
    return ' / '.join(MESSAGES['lang_unknown'][known].format(language=lang, languages=', '.join(LANGS))
                      for known in LANGS)


def check_lang(lang):
    """``lang`` when it is one of LANGS, else ValueError (unknown_language())."""
    if lang not in LANGS:
        raise ValueError(unknown_language(lang))
    return lang


def msg(key, lang='en', **kw):
    """Render message ``key`` in ``lang``, one of LANGS (another language: ValueError)."""
    return MESSAGES[key][check_lang(lang)].format(**kw)
